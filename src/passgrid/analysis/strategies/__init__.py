"""Search strategies: how a user picks what to submit among k samples, each
scored exactly (or without bias, with its Monte Carlo error) from the same
pool of n samples per problem, at every k = 1..n, with the expected number
of samples it draws (its cost). One module per strategy behind
passgrid.analysis.strategies.base.Strategy; a strategy is looked up by name
and imported only when asked for (`strategy`).

| strategy     | needs                        | estimator                                   |
|--------------|------------------------------|---------------------------------------------|
| oracle       | verdicts                     | pass@k, closed form (Chen et al. 2021)      |
| filter       | the tests the statement shows| closed form over the passers a k-subset holds|
| first_pass   | the tests the statement shows| the same, and its expected samples drawn     |
| selected     | the shown tests' outputs     | random orderings, Monte Carlo error reported |
| codet        | model-written tests          | random orderings (exact at k = 1 and n)      |
| logprob      | each sample's log-probability| closed form over the ranks a k-subset holds  |
"""
import numpy as np

from passgrid.analysis.strategies.base import Curve, Pool, Strategy
from passgrid.plugins import plugin_class

# name -> its module and the Strategy it defines
STRATEGY_MODULES = {
    "oracle": "passgrid.analysis.strategies.oracle:STRATEGY",
    "filter": "passgrid.analysis.strategies.filter:STRATEGY",
    "first_pass": "passgrid.analysis.strategies.first_pass:STRATEGY",
    "selected": "passgrid.analysis.strategies.vote:STRATEGY",
    "codet": "passgrid.analysis.strategies.codet:STRATEGY",
    "logprob": "passgrid.analysis.strategies.logprob:STRATEGY",
}
STRATEGY_NAMES = tuple(STRATEGY_MODULES)


def strategy(name: str) -> Strategy:
    """The strategy called `name`, its module imported now."""
    return plugin_class(STRATEGY_MODULES, "strategy", name)


def mean_at(name: str, pools: list, submissions: int, ks: list, orders: int, rng) -> dict:
    """k -> (the strategy's mean value over the pools' problems, its Monte
    Carlo error, its mean samples drawn), at each k of `ks` every pool has."""
    chosen = strategy(name)
    curves = [chosen.curve(pool, submissions=submissions, orders=orders, rng=rng) for pool in pools]
    n = min(pool.n for pool in pools)
    return {k: (float(np.mean([c.value[k - 1] for c in curves])),
                float(np.sqrt(np.sum([c.variance[k - 1] for c in curves]))) / len(curves),
                float(np.mean([c.drawn[k - 1] for c in curves]))) for k in ks if k <= n}


__all__ = ["Curve", "Pool", "Strategy", "STRATEGY_NAMES", "mean_at", "strategy"]

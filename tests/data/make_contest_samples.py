"""Writes the contest samples in tests/data, each in its benchmark's own
schema (the fields and their types as on the hub): a handful of problems
covering floats, multiple test cases, trailing whitespace, a large input, a
slow reference, and rows passgrid leaves out. Rerun to regenerate:
python tests/data/make_contest_samples.py"""
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


if __name__ == "__main__":
    for name, rows in (("code_contests", code_contests()), ("apps", apps()), ("livecodebench", livecodebench())):
        with open(HERE / f"{name}-sample.jsonl", "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in rows)

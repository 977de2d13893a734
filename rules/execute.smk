rule execute:
    input:
        problems=problems_of,
        samples=samples_of,
    output:
        executions=RUN + "/executions.jsonl",
    params:
        execution=lambda wildcards: cell_config(wildcards, "execution"),
        n=lambda wildcards: cell_config(wildcards, "sampling")["n"],
        probe=False,
    threads: lambda wildcards: cell_config(wildcards, "execution")["workers"]
    conda:
        "../envs/execution.yaml"
    script:
        "../scripts/execute.py"


# The same samples on the docstring's examples only: what a user could check
# without the hidden tests (selected@k in the summary).
use rule execute as probe with:
    output:
        executions=RUN + "/probes.jsonl",
    params:
        execution=lambda wildcards: cell_config(wildcards, "execution"),
        n=lambda wildcards: cell_config(wildcards, "sampling")["n"],
        probe=True,


# The same samples under a stronger test set, where the dataset names one.
use rule execute as execute_strong with:
    input:
        problems=strong_problems_of,
        samples=samples_of,
    output:
        executions=RUN + "/executions_strong.jsonl",

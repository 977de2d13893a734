rule execute:
    input:
        problems=lambda wildcards: GRID.problems_of_cell(wildcards.cell),  # the tests, and every problem the draw may hold
        samples=lambda wildcards: GRID.samples_of_cell(wildcards.cell),
    output:
        executions=PATHS["executions"],
    log:
        PATHS["log"].format(rule="execute", job="{cell}"),
    params:
        job=lambda wildcards: GRID.execute_job(wildcards.cell),
        reruns_on=lambda wildcards: GRID.execute_job(wildcards.cell).reruns_on,
    threads: lambda wildcards: GRID.cells[wildcards.cell].config.execution.workers
    conda:
        "../envs/execution.yaml"
    script:
        "../scripts/execute.py"


# The same samples, once each, on the tests their problems show (what a
# user could check without the hidden tests) and on their model's written
# tests where it has them (what CodeT ranks by): every strategy's view.
rule probe:
    input:
        problems=lambda wildcards: GRID.problems_of_cell(wildcards.cell),
        samples=lambda wildcards: GRID.samples_of_cell(wildcards.cell),
        tests=lambda wildcards: GRID.written_tests_file(wildcards.cell),
    output:
        probes=PATHS["probes"],
        written=PATHS["written"],
    log:
        PATHS["log"].format(rule="probe", job="{cell}"),
    params:
        job=lambda wildcards: GRID.execute_job(wildcards.cell, probe=True),
        reruns_on=lambda wildcards: GRID.execute_job(wildcards.cell, probe=True).reruns_on,
    threads: lambda wildcards: GRID.cells[wildcards.cell].config.execution.workers
    conda:
        "../envs/execution.yaml"
    script:
        "../scripts/probe.py"


# The same samples under a stronger test set, where the dataset names one.
use rule execute as execute_strong with:
    input:
        problems=lambda wildcards: GRID.strong_problems_of_cell(wildcards.cell),
        dataset=lambda wildcards: GRID.problems_of_cell(wildcards.cell),  # every problem the draw may hold
        samples=lambda wildcards: GRID.samples_of_cell(wildcards.cell),
    output:
        executions=PATHS["executions_strong"],
    log:
        PATHS["log"].format(rule="execute_strong", job="{cell}"),


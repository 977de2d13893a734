rule score:
    input:
        problems=lambda wildcards: GRID.problems_of_cell(wildcards.cell),
        executions=PATHS["executions"],
    output:
        per_problem=PATHS["per_problem"],
        scores=PATHS["scores"],
    log:
        PATHS["log"].format(rule="score", job="{cell}"),
    params:
        limit=lambda wildcards: GRID.cells[wildcards.cell].config.dataset.limit,
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/score.py"


use rule score as score_strong with:
    input:
        problems=lambda wildcards: GRID.strong_problems_of_cell(wildcards.cell),
        executions=PATHS["executions_strong"],
    output:
        per_problem=PATHS["per_problem_strong"],
        scores=PATHS["scores_strong"],
    log:
        PATHS["log"].format(rule="score_strong", job="{cell}"),


rule cell_config:
    output:
        PATHS["cell_config"],
    log:
        PATHS["log"].format(rule="cell_config", job="{cell}"),
    params:
        config=lambda wildcards: GRID.record(wildcards.cell).plain_config,
    localrule: True
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/write_config.py"

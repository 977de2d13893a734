rule prepare_dataset:
    output:
        problems=PATHS["problems"],
        meta=PATHS["dataset_meta"],
    log:
        PATHS["log"].format(rule="prepare_dataset", job="{dataset}"),
    params:
        dataset=lambda wildcards: GRID.datasets[wildcards.dataset],
    localrule: True
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/prepare_dataset.py"


rule prepare_strong_tests:
    input:
        problems=PATHS["problems"],
    output:
        problems=PATHS["strong_problems"],
        meta=PATHS["strong_meta"],
    log:
        PATHS["log"].format(rule="prepare_strong_tests", job="{dataset}-{strong}"),
    params:
        strong_tests=lambda wildcards: GRID.strong_tests[wildcards.strong],
        limit=lambda wildcards: GRID.strong_limit(wildcards.dataset, wildcards.strong),
    localrule: True
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/prepare_strong_tests.py"

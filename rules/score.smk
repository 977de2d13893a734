rule score:
    input:
        problems=problems_of,
        executions=RUN + "/executions.jsonl",
    output:
        per_problem=RUN + "/per_problem.csv",
        scores=RUN + "/scores.csv",
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/score.py"


rule cell_config:
    output:
        RUN + "/config.json",
    params:
        config=cell_config,
    localrule: True
    script:
        "../scripts/write_config.py"

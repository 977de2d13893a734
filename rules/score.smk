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


use rule score as score_strong with:
    input:
        problems=strong_problems_of,
        executions=RUN + "/executions_strong.jsonl",
    output:
        per_problem=RUN + "/per_problem_strong.csv",
        scores=RUN + "/scores_strong.csv",


rule cell_config:
    output:
        RUN + "/config.json",
    params:
        config=cell_config,
    localrule: True
    script:
        "../scripts/write_config.py"

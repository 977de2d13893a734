rule execute:
    input:
        problems=problems_of,
        samples=samples_of,
    output:
        executions=RUN + "/executions.jsonl",
    params:
        execution=lambda wildcards: cell_config(wildcards, "execution"),
        n=lambda wildcards: cell_config(wildcards, "sampling")["n"],
    threads: lambda wildcards: cell_config(wildcards, "execution")["workers"]
    conda:
        "../envs/execution.yaml"
    script:
        "../scripts/execute.py"

rule sample:
    input:
        problems=problems_of,
    output:
        samples=RUN + "/samples.jsonl",
    params:
        # Shards are not a declared output, so Snakemake keeps them when a job
        # fails and the rerun resumes from them.
        shard_dir=lambda wildcards: RUN.format(cell=wildcards.cell) + "/sample_shards",
        model=lambda wildcards: cell_config(wildcards, "model"),
        prompt=lambda wildcards: cell_config(wildcards, "prompt"),
        sampling=lambda wildcards: cell_config(wildcards, "sampling"),
    threads: SAMPLE_THREADS
    resources:
        gpu=lambda wildcards: cell_config(wildcards, "model")["tensor_parallel_size"]
        if cell_config(wildcards, "model")["backend"] == "vllm"
        else 0,
    conda:
        "../envs/sampling-cpu.yaml"
    script:
        "../scripts/sample.py"

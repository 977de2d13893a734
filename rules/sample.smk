# One draw of samples per distinct (dataset, model, prompt, sampling without
# n), at the largest budget any cell asks of it.
rule sample:
    input:
        problems=draw_problems_of,
    output:
        samples=DRAW + "/samples.jsonl",
    params:
        # Shards are not a declared output, so Snakemake keeps them when a job
        # fails and the rerun resumes from them.
        shard_dir=lambda wildcards: DRAW.format(draw=wildcards.draw) + "/sample_shards",
        model=lambda wildcards: draw_config(wildcards, "model"),
        prompt=lambda wildcards: draw_config(wildcards, "prompt"),
        sampling=lambda wildcards: draw_config(wildcards, "sampling"),
    threads: SAMPLE_THREADS
    resources:
        gpu=lambda wildcards: draw_config(wildcards, "model")["tensor_parallel_size"]
        if draw_config(wildcards, "model")["backend"] == "vllm"
        else 0,
    conda:
        "../envs/sampling-cpu.yaml"
    script:
        "../scripts/sample.py"

# One draw of samples per distinct set of SAMPLES fields, at the largest
# budget (n, limit) any cell asks of it; a larger budget draws only what is
# missing.
rule sample:
    input:
        problems=lambda wildcards: GRID.problems_of_draw(wildcards.draw),
    output:
        samples=PATHS["samples"],
    log:
        PATHS["log"].format(rule="sample", job="{draw}"),
    params:
        job=lambda wildcards: GRID.sample_job(wildcards.draw),
        reruns_on=lambda wildcards: GRID.sample_job(wildcards.draw).reruns_on,
        # Shards and draw.json are not declared outputs, so Snakemake keeps
        # them when a job fails or its budget changes; the rerun resumes.
        shard_dir=lambda wildcards: GRID.path("shards", draw=wildcards.draw),
        draw_meta=lambda wildcards: GRID.path("draw_meta", draw=wildcards.draw),
    threads: SAMPLE_THREADS
    resources:
        gpu=lambda wildcards: GRID.sample_job(wildcards.draw).gpus,
    conda:
        "../envs/sampling-cpu.yaml"
    script:
        "../scripts/sample.py"

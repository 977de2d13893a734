# One draw of samples per distinct set of SAMPLES fields, at the largest
# budget (n, limit) any cell asks of it; a larger budget draws only what is
# missing. A draw is drawn by `sampling.shards` jobs, each its own engine
# (and GPUs, on a cluster), then joined.
rule sample:
    input:
        problems=lambda wildcards: GRID.problems_of_draw(wildcards.draw),
        files=lambda wildcards: GRID.sample_files(wildcards.draw),  # an edited one reruns the job, which checks it
    output:
        shard=PATHS["shard"],
    log:
        PATHS["log"].format(rule="sample", job="{draw}-{shard}-of-{shards}"),
    params:
        job=lambda wildcards: GRID.sample_job(wildcards.draw, int(wildcards.shard), int(wildcards.shards)),
        reruns_on=lambda wildcards: GRID.sample_job(wildcards.draw).reruns_on,
        # The per-problem files and the runs are not declared outputs, so
        # Snakemake keeps them when a job fails or its budget changes: the
        # rerun resumes. Shards of a draw share them (disjoint problems).
        problem_dir=lambda wildcards: GRID.path("problem_samples", draw=wildcards.draw),
        draw_meta=lambda wildcards: GRID.path("draw_meta", draw=wildcards.draw),
        runs_dir=lambda wildcards: GRID.path("draw_runs", draw=wildcards.draw),
    threads: SAMPLE_THREADS
    resources:
        gpu=lambda wildcards: GRID.sample_job(wildcards.draw).gpus,
    conda:
        lambda wildcards: f"../envs/{GRID.sampling_env(wildcards.draw)}"
    script:
        "../scripts/sample.py"


# Changing sampling.shards draws nothing again (every problem's file is
# complete), but the join and so the cells' judging run again: verdicts
# come from the cache (execution.cache).
rule join_samples:
    input:
        problems=lambda wildcards: GRID.problems_of_draw(wildcards.draw),
        shards=lambda wildcards: GRID.shards_of_draw(wildcards.draw),
    output:
        samples=PATHS["samples"],
    log:
        PATHS["log"].format(rule="join_samples", job="{draw}"),
    params:
        job=lambda wildcards: GRID.sample_job(wildcards.draw),
        reruns_on=lambda wildcards: GRID.sample_job(wildcards.draw).reruns_on,
        problem_dir=lambda wildcards: GRID.path("problem_samples", draw=wildcards.draw),
        draw_meta=lambda wildcards: GRID.path("draw_meta", draw=wildcards.draw),
        runs_dir=lambda wildcards: GRID.path("draw_runs", draw=wildcards.draw),
    localrule: True
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/join_samples.py"

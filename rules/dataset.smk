rule prepare_dataset:
    output:
        problems=DATA + "/problems.jsonl",
        meta=DATA + "/meta.json",
    params:
        dataset=lambda wildcards: datasets()[wildcards.dataset],
    localrule: True
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/prepare_dataset.py"

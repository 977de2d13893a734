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


rule prepare_strong_tests:
    input:
        problems=DATA + "/problems.jsonl",
    output:
        problems=STRONG + "/problems.jsonl",
        meta=STRONG + "/meta.json",
    params:
        strong_tests=lambda wildcards: STRONG_TESTS[wildcards.strong],
    localrule: True
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/prepare_strong_tests.py"

"""llama.cpp on the CPU through llama-cpp-python: the offline default.

The n samples of one prompt are decoded together, as n parallel sequences of
one llama.cpp context: the prompt is evaluated once and its KV cache is shared
by every sequence (a unified KV cache), then each decoding step advances all
unfinished sequences in one batch. On 2 cores this draws samples several
times faster than a loop of single completions (bench/sampling_llamacpp.py).
"""
import time
from pathlib import Path

from passgrid import PassgridError
from passgrid.backends.base import Backend, Generation, Request
from passgrid.files import package_file

PACKAGE_PREFIX = "pkg://"
PROMPT_CHUNK = 512  # tokens per decode call while evaluating a prompt


def resolve_model_path(path: str) -> Path:
    """A GGUF path, or pkg://PACKAGE/FILE for a file shipped inside a Python package."""
    if path.startswith(PACKAGE_PREFIX):
        package, _, name = path[len(PACKAGE_PREFIX):].partition("/")
        resolved = package_file(package, name)
    else:
        resolved = Path(path)
    if not resolved.is_file():
        raise PassgridError(f"model.path: no model file at {resolved}")
    return resolved


class LlamaCppBackend(Backend):
    name = "llamacpp"

    def __init__(self, model: dict, threads: int = 1):
        super().__init__(model, threads)
        from llama_cpp import Llama, llama_chat_format

        # This Llama object loads the weights and holds the tokenizer and chat
        # template; decoding runs in a context of our own, sized for batches.
        self.llm = Llama(model_path=str(resolve_model_path(model["path"])), n_ctx=model["n_ctx"],
                         n_threads=self._threads(), verbose=False)
        template = self.llm.metadata.get("tokenizer.chat_template")
        eos, bos = self.llm.token_eos(), self.llm.token_bos()
        self.formatter = template and llama_chat_format.Jinja2ChatFormatter(
            template=template,
            eos_token=self.llm._model.token_get_text(eos) if eos != -1 else "",
            bos_token=self.llm._model.token_get_text(bos) if bos != -1 else "")
        self.ctx = None
        self.ctx_shape = None

    def _threads(self) -> int:
        return self.model.get("n_threads") or self.threads

    def prompt_text(self, request: Request) -> str:
        """The text the model sees: the chat template applied, or the raw prompt."""
        if request.messages is None:
            return request.prompt
        if not self.formatter:
            raise PassgridError(f"model.path: {self.model['path']} has no chat template; use prompt=completion")
        return self.formatter(messages=request.messages).prompt

    def generate(self, request: Request) -> list:
        tokens = self.llm.tokenize(self.prompt_text(request).encode("utf-8"), add_bos=True, special=True)
        if len(tokens) + request.max_tokens > self.model["n_ctx"]:
            raise PassgridError(f"model.n_ctx={self.model['n_ctx']} is too small for a prompt of {len(tokens)} "
                                f"tokens plus max_tokens={request.max_tokens}")
        width, out, start = self.model["n_parallel"], [], time.perf_counter()
        for first in range(0, request.n, width):
            seeds = [request.seed + i for i in range(first, min(request.n, first + width))]
            out += self._decode_together(tokens, seeds, request, start)
        return out

    def _context(self, n_seq: int, max_tokens: int):
        import llama_cpp as C

        shape = (n_seq, max_tokens)
        if self.ctx_shape != shape:
            self._free_context()
            params = C.llama_context_default_params()
            # One unified KV stream: the prompt's cells are shared by every
            # sequence, plus up to max_tokens cells of each. (A stream per
            # sequence with the prompt copied into each measured slower here.)
            params.n_ctx = self.model["n_ctx"] + (n_seq - 1) * max_tokens
            params.n_batch = params.n_ubatch = max(PROMPT_CHUNK, n_seq)
            params.n_seq_max = n_seq
            params.kv_unified = True
            params.n_threads = params.n_threads_batch = self._threads()
            self.ctx = C.llama_init_from_model(self.llm.model, params)
            if not self.ctx:
                raise PassgridError(f"llama.cpp could not create a context for {n_seq} sequences")
            self.ctx_shape = shape
        C.llama_memory_clear(C.llama_get_memory(self.ctx), True)
        return self.ctx

    def _decode_together(self, prompt: list, seeds: list, request: Request, start: float) -> list:
        import llama_cpp as C

        n = len(seeds)
        ctx = self._context(n, request.max_tokens)
        vocab = C.llama_model_get_vocab(self.llm.model)
        samplers = [_sampler(request.temperature, request.top_p, seed) for seed in seeds]
        batch = C.llama_batch_init(max(PROMPT_CHUNK, n), 0, n)
        try:
            everyone = list(range(n))  # the prompt is evaluated once, for all sequences
            for at in range(0, len(prompt), PROMPT_CHUNK):
                chunk = prompt[at:at + PROMPT_CHUNK]
                batch.n_tokens = 0
                for offset, token in enumerate(chunk):
                    _add(batch, token, at + offset, everyone, logits=at + offset == len(prompt) - 1)
                _decode(ctx, batch)
            logit_row = {i: batch.n_tokens - 1 for i in range(n)}  # all sample from the prompt's last token
            texts = [[] for _ in range(n)]
            finish, latency = [None] * n, [0.0] * n
            for step in range(request.max_tokens):
                batch.n_tokens = 0
                for i, row in list(logit_row.items()):
                    token = C.llama_sampler_sample(samplers[i], ctx, row)
                    if C.llama_vocab_is_eog(vocab, token):
                        finish[i] = "stop"
                    else:
                        texts[i].append(token)
                        if request.stop and _hits_stop(self.llm, texts[i], request.stop):
                            finish[i] = "stop"
                        elif step + 1 == request.max_tokens:
                            finish[i] = "length"
                    if finish[i]:
                        latency[i] = time.perf_counter() - start
                        del logit_row[i]
                        continue
                    logit_row[i] = batch.n_tokens
                    _add(batch, token, len(prompt) + step, [i], logits=True)
                if not logit_row:
                    break
                _decode(ctx, batch)
        finally:
            C.llama_batch_free(batch)
            for s in samplers:
                C.llama_sampler_free(s)
        return [Generation(text=self.llm.detokenize(texts[i]).decode("utf-8", errors="replace"),
                           prompt_tokens=len(prompt) if i == 0 else 0,  # evaluated once for the batch
                           completion_tokens=len(texts[i]) + (finish[i] == "stop"),
                           finish_reason=finish[i], latency_s=latency[i])
                for i in range(n)]

    def _free_context(self):
        import llama_cpp as C

        if self.ctx:
            C.llama_free(self.ctx)
            self.ctx, self.ctx_shape = None, None

    def close(self) -> None:
        self._free_context()
        self.llm.close()


def _sampler(temperature: float, top_p: float, seed: int):
    """Temperature, then nucleus (top_p), then a draw with the sample's own
    seed: the order vLLM and Hugging Face use. Temperature 0 is greedy."""
    import llama_cpp as C

    chain = C.llama_sampler_chain_init(C.llama_sampler_chain_default_params())
    if temperature <= 0:
        C.llama_sampler_chain_add(chain, C.llama_sampler_init_greedy())
        return chain
    C.llama_sampler_chain_add(chain, C.llama_sampler_init_temp(temperature))
    if top_p < 1.0:
        C.llama_sampler_chain_add(chain, C.llama_sampler_init_top_p(top_p, 1))
    C.llama_sampler_chain_add(chain, C.llama_sampler_init_dist(seed & 0xFFFFFFFF))
    return chain


def _add(batch, token: int, pos: int, seq_ids: list, logits: bool) -> None:
    i = batch.n_tokens
    batch.token[i] = token
    batch.pos[i] = pos
    batch.n_seq_id[i] = len(seq_ids)
    for j, seq in enumerate(seq_ids):
        batch.seq_id[i][j] = seq
    batch.logits[i] = logits
    batch.n_tokens += 1


def _decode(ctx, batch) -> None:
    import llama_cpp as C

    status = C.llama_decode(ctx, batch)
    if status != 0:
        raise PassgridError(f"llama.cpp decode failed with status {status} (context too small?)")


def _hits_stop(llm, tokens: list, stop: tuple) -> bool:
    tail = llm.detokenize(tokens[-16:]).decode("utf-8", errors="ignore")
    return any(s in tail for s in stop)

"""llama.cpp on the CPU through llama-cpp-python: the offline default.

Samples are decoded together, n_parallel sequences at a time, each step
advancing every busy sequence in one batch; a prompt is evaluated once and
its KV cache copied to each sequence that samples from it; a sequence that
finishes takes the next sample at once, of the same problem or the next.
bench/sampling_llamacpp.py measures it against a loop of single completions
(figures and why not more: docs/measurements.md).
"""
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from passgrid import PassgridError
from passgrid.changes import DERIVED, SAMPLES, setting
from passgrid.files import resolve_file
from passgrid.sampling.backends.base import Backend, Generation, Request
from passgrid.sampling.prompts import answer_complete

PROMPT_CHUNK = 512  # tokens per decode call while evaluating a prompt
KV_STEP = 256  # llama.cpp sizes each sequence's KV stream in multiples of this


def resolve_model_path(path: str) -> Path:
    """A GGUF path, or pkg://PACKAGE/FILE for a file shipped inside a Python package."""
    return resolve_file(path, "model.path")


@dataclass
class LlamaCppSettings:
    path: Optional[str] = setting(None, SAMPLES)  # a GGUF file, or pkg://PACKAGE/FILE
    # Neither the context size, the threads nor the slots change a sample:
    # flash attention is off, so a sample does not depend on its batch
    # neighbours (tests/test_backend_llamacpp.py).
    n_ctx: int = setting(2048, DERIVED)
    n_threads: Optional[int] = setting(None, DERIVED)  # default: the job's threads
    n_parallel: int = setting(16, DERIVED)  # samples decoded together, across problems (continuous batching)


class LlamaCppBackend(Backend):
    name = "llamacpp"
    Settings = LlamaCppSettings
    uses_cpu_threads = True

    @classmethod
    def check(cls, model) -> list:
        if not model.path:
            return ["model.path: the llamacpp backend needs a GGUF path"]
        try:
            resolve_model_path(model.path)
        except PassgridError as e:
            return [f"model.path={model.path!r}: {str(e).removeprefix('model.path: ')}"]
        return []

    @classmethod
    def input_files(cls, model) -> dict:
        return {"model.path": resolve_model_path(model.path)}

    def __init__(self, model, threads: int = 1):
        super().__init__(model, threads)
        from llama_cpp import Llama, llama_chat_format

        # This Llama object loads the weights and holds the tokenizer and chat
        # template; decoding runs in a context of our own, sized for batches.
        self.llm = Llama(model_path=str(resolve_model_path(model.path)), n_ctx=model.n_ctx,
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
        return self.model.n_threads or self.threads

    def prompt_text(self, request: Request) -> str:
        """The text the model sees: the chat template applied, or the raw prompt."""
        if request.messages is None:
            return request.prompt
        if not self.formatter:
            raise PassgridError(f"model.path: {self.model.path} has no chat template; use prompt=completion")
        return self.formatter(messages=request.messages).prompt

    def generate(self, request: Request) -> list:
        return dict(self.generate_many([request]))[0]

    def generate_many(self, requests: list):
        """Decode the samples of all requests through n_parallel slots, a slot
        taking the next sample as soon as its own is done (continuous
        batching), and yield (index, generations) as each request completes."""
        prompts = [self._tokens(r) for r in requests]
        width = min(self.model.n_parallel, sum(r.n for r in requests))
        longest = max(len(p) for p in prompts) + max(r.max_tokens for r in requests)
        ctx = self._context(width, -(-longest // KV_STEP) * KV_STEP)
        yield from _ContinuousBatch(self.llm, ctx, width, requests, prompts).run()

    def _tokens(self, request: Request) -> list:
        tokens = self.llm.tokenize(self.prompt_text(request).encode("utf-8"), add_bos=True, special=True)
        if len(tokens) + request.max_tokens > self.model.n_ctx:
            raise PassgridError(f"model.n_ctx={self.model.n_ctx} is too small for a prompt of {len(tokens)} "
                                f"tokens plus max_tokens={request.max_tokens}")
        return tokens

    def _context(self, width: int, seq_len: int):
        """A context with a KV stream per slot plus one holding the prompt
        being handed out, each long enough for a prompt and its sample."""
        import llama_cpp as C

        shape = (width, seq_len)
        if self.ctx_shape != shape:
            self._free_context()
            params = C.llama_context_default_params()
            # A stream per sequence: a token attends only to its own sample's
            # cells, not to every cell of every sequence as in one unified
            # stream, whose attention cost grows with the whole batch.
            params.kv_unified = False
            # Without flash attention a row's arithmetic does not depend on the
            # batch (tests/test_backend_llamacpp.py: a sample equals the one
            # decoded alone); with it, batched samples drift apart, so a
            # resumed run, batched differently, would not equal an
            # uninterrupted one (docs/measurements.md).
            params.flash_attn_type = C.LLAMA_FLASH_ATTN_TYPE_DISABLED
            params.n_seq_max = width + 1
            params.n_ctx = (width + 1) * seq_len
            params.n_batch = params.n_ubatch = max(PROMPT_CHUNK, width)
            params.n_threads = params.n_threads_batch = self._threads()
            self.ctx = C.llama_init_from_model(self.llm.model, params)
            if not self.ctx:
                raise PassgridError(f"llama.cpp could not create a context for {width} sequences")
            self.ctx_shape = shape
        C.llama_memory_clear(C.llama_get_memory(self.ctx), True)
        return self.ctx

    def _free_context(self):
        import llama_cpp as C

        if self.ctx:
            C.llama_free(self.ctx)
            self.ctx, self.ctx_shape = None, None

    def provenance(self) -> dict:
        import llama_cpp

        from passgrid.files import file_sha256

        path = resolve_model_path(self.model.path)
        return {"backend": self.name, "engine": "llama.cpp (llama-cpp-python)", "version": llama_cpp.__version__,
                "model_file": str(path), "model_sha256": file_sha256(path), "flash_attention": False,
                "n_ctx": self.model.n_ctx, "n_parallel": self.model.n_parallel, "threads": self._threads()}

    def close(self) -> None:
        self._free_context()
        self.llm.close()


class _Sequence:
    """A sample being decoded in a slot: the token to feed next and where."""

    def __init__(self, request_index: int, sample_index: int, sampler, token: int, pos: int):
        self.request_index, self.sample_index, self.sampler = request_index, sample_index, sampler
        self.token, self.pos, self.row = token, pos, None
        self.tokens, self.sampled, self.logprob_sum = [], 0, 0.0


class _ContinuousBatch:
    """The samples of several requests decoded through `width` slots.

    Each slot is a sequence with its own KV stream. A request's prompt, but
    its last token, is evaluated once into a holder stream and copied into
    each slot that takes one of its samples; the slot's first step feeds the
    prompt's last token, whose logits give the sample's first token. Every
    step decodes one token of every busy slot in one batch, and a slot whose
    sample ends takes the next queued sample at once, so the batch stays full
    until the queue runs dry. A sample's tokens do not depend on which others
    share its batch (with flash attention off, llama.cpp's arithmetic for a
    row is the same whatever the batch), which is what makes a resumed run,
    batched differently, equal to an uninterrupted one."""

    def __init__(self, llm, ctx, width: int, requests: list, prompts: list):
        import llama_cpp as C

        self.C, self.llm, self.ctx, self.width = C, llm, ctx, width
        self.requests, self.prompts = requests, prompts
        self.memory = C.llama_get_memory(ctx)
        self.vocab = C.llama_model_get_vocab(llm.model)
        self.n_vocab = C.llama_vocab_n_tokens(self.vocab)
        self.holder, self.held = width, None  # the holder stream and whose prompt it has
        self.queue = deque((j, i) for j, r in enumerate(requests) for i in range(r.n))
        self.results = [[None] * r.n for r in requests]
        self.left = [r.n for r in requests]
        self.started = {}
        self.slots = {}  # slot -> _Sequence

    def run(self):
        C = self.C
        batch = C.llama_batch_init(max(PROMPT_CHUNK, self.width), 0, 1)
        try:
            while self.queue or self.slots:
                self._fill(batch)
                if not self.queue:
                    self._compact()
                batch.n_tokens = 0
                # llama.cpp computes the tokens of consecutive streams, in
                # order, as one batch; a gap or a step back starts another.
                for slot in sorted(self.slots):
                    self.slots[slot].row = batch.n_tokens
                    _add(batch, self.slots[slot].token, self.slots[slot].pos, slot, logits=True)
                _decode(self.ctx, batch)
                for slot in sorted(self.slots):
                    finished = self._advance(slot)
                    if finished:
                        yield finished
        finally:
            C.llama_batch_free(batch)
            for seq in self.slots.values():
                C.llama_sampler_free(seq.sampler)

    def _fill(self, batch) -> None:
        for slot in range(self.width):
            if slot in self.slots or not self.queue:
                continue
            j, i = self.queue.popleft()
            self.started.setdefault(j, time.perf_counter())  # its prompt's evaluation included
            if self.held != j:
                self._hold(j, batch)
            self.C.llama_memory_seq_rm(self.memory, slot, -1, -1)
            if len(self.prompts[j]) > 1:
                # Queued now, done by the next decode before it writes anything.
                self.C.llama_memory_seq_cp(self.memory, self.holder, slot, -1, -1)
            request = self.requests[j]
            self.slots[slot] = _Sequence(j, i, _sampler(request.temperature, request.top_p, request.seed + i),
                                         token=self.prompts[j][-1], pos=len(self.prompts[j]) - 1)

    def _compact(self) -> None:
        """Once nothing is left to queue, move the samples of the highest
        slots into the free lower ones, so that busy slots stay 0..k-1."""
        while self.slots and max(self.slots) >= len(self.slots):
            src, dst = max(self.slots), min(set(range(self.width)) - set(self.slots))
            self.C.llama_memory_seq_cp(self.memory, src, dst, -1, -1)
            self.C.llama_memory_seq_rm(self.memory, src, -1, -1)
            self.slots[dst] = self.slots.pop(src)

    def _hold(self, j: int, batch) -> None:
        """Evaluate request j's prompt, but its last token, into the holder."""
        self.C.llama_memory_seq_rm(self.memory, self.holder, -1, -1)
        head = self.prompts[j][:-1]
        for at in range(0, len(head), PROMPT_CHUNK):
            batch.n_tokens = 0
            for offset, token in enumerate(head[at:at + PROMPT_CHUNK]):
                _add(batch, token, at + offset, self.holder, logits=False)
            _decode(self.ctx, batch)
        self.held = j

    def _logits(self, row: int):
        """The model's logits for a batch row, copied (the sampler reads the same ones)."""
        import numpy as np

        return np.ctypeslib.as_array(self.C.llama_get_logits_ith(self.ctx, row), shape=(self.n_vocab,)).copy()

    def _advance(self, slot: int):
        """Sample the slot's next token; return (index, generations) when
        this ends the last sample of a request."""
        C, seq = self.C, self.slots[slot]
        request = self.requests[seq.request_index]
        logits = self._logits(seq.row)
        token = C.llama_sampler_sample(seq.sampler, self.ctx, seq.row)
        seq.sampled += 1
        seq.logprob_sum += float(logits[token] - _logsumexp(logits))
        finish = None
        if C.llama_vocab_is_eog(self.vocab, token):
            finish = "stop"
        else:
            seq.tokens.append(token)
            if request.stop and _hits_stop(self.llm, seq.tokens, request.stop):
                finish = "stop"
            elif request.stop_at_answer and b"`" in self.llm.detokenize([token]) and answer_complete(
                    self.llm.detokenize(seq.tokens).decode("utf-8", errors="ignore"), request.stop_at_answer):
                finish = "answer"
            elif len(seq.tokens) == request.max_tokens:
                finish = "length"
        if finish is None:
            seq.token, seq.pos = token, seq.pos + 1
            return None
        del self.slots[slot]
        C.llama_sampler_free(seq.sampler)
        j, i = seq.request_index, seq.sample_index
        self.results[j][i] = Generation(
            text=self.llm.detokenize(seq.tokens).decode("utf-8", errors="replace"),
            prompt_tokens=len(self.prompts[j]) if i == 0 else 0,  # evaluated once for the request
            completion_tokens=seq.sampled, finish_reason=finish,
            latency_s=time.perf_counter() - self.started[j], mean_logprob=seq.logprob_sum / seq.sampled)
        self.left[j] -= 1
        return (j, self.results[j]) if self.left[j] == 0 else None


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


def _logsumexp(logits) -> float:
    import numpy as np

    top = float(logits.max())
    return top + float(np.log(np.exp(logits - top, dtype=np.float64).sum()))


def _add(batch, token: int, pos: int, seq: int, logits: bool) -> None:
    i = batch.n_tokens
    batch.token[i] = token
    batch.pos[i] = pos
    batch.n_seq_id[i] = 1
    batch.seq_id[i][0] = seq
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

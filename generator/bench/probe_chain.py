"""The dependent-add chain as x86-64 machine code, for machines without a C compiler.

Run as `python -m generator.bench.probe_chain LOOPS TRIALS` (by generator.bench.probe, in a child
process so a crash costs nothing but the measurement); prints the best trial's clock in MHz.
Protocol: one line on stdout, "<MHz>"; exit status 0 only when the line is valid.

The code (System V ABI: loop count in rdi; x86 keeps instruction and data caches coherent, so freshly
written code runs as written):

    mov  eax, 1
    mov  edx, 3
    loop: add rax, rdx      ; ADDS_PER_LOOP times, each depending on the one before
    dec  rdi
    jnz  loop
    ret
"""

from __future__ import annotations

import ctypes
import mmap
import sys
import time

ADDS_PER_LOOP = 40  # keeps the backward jump within a one-byte offset
ADD_RAX_RDX = bytes.fromhex("4801d0")


def chain_code() -> bytes:
    body = ADD_RAX_RDX * ADDS_PER_LOOP + bytes.fromhex("48ffcf")  # dec rdi
    jump_back = -(len(body) + 2)  # from the end of the 2-byte jnz to the loop start
    return (
        bytes.fromhex("b801000000ba03000000")  # mov eax, 1; mov edx, 3
        + body
        + bytes([0x75, jump_back & 0xFF])  # jnz loop
        + bytes([0xC3])  # ret
    )


def best_mhz(loops: int, trials: int) -> float:
    code = chain_code()
    page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    page.write(code)
    address = ctypes.addressof(ctypes.c_char.from_buffer(page))
    chain = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_uint64)(address)
    chain(loops * 10)  # warm-up: lets the clock ramp up
    best = 0.0
    for _ in range(trials):
        start = time.perf_counter()
        chain(loops)
        best = max(best, loops * ADDS_PER_LOOP / (time.perf_counter() - start))
    return best / 1e6


def main(argv: list[str]) -> int:
    loops, trials = int(argv[0]), int(argv[1])
    # The loop count scales so each trial does as many adds as the compiled chain's (100 per loop).
    sys.stdout.write(f"{best_mhz(loops * 100 // ADDS_PER_LOOP, trials):.1f}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

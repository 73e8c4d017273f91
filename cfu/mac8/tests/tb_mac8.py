"""cocotb tests of mac8's generated Verilog against mac8_model.GoldenModel: the shared suite
(random traffic with gaps and backpressure, back to back, resets followed by the exercise of
every lane), issue rate and latency of the streaming instructions, and whole layers against
the numpy TFLite reference."""
import cocotb
import numpy as np

from cfu_bench.design import CocotbSpec, design_tests, fresh_driver
from mac8_layers import random_layer_cases
from mac8_model import (CONV, COMMIT, DW, FC, ID, LANES, MAC, NOMAC, READ, SETPTR, W_DIRECT, W_FETCH, W_SETUP,
                        W_STREAM, WLOAD,
                        GoldenModel, exercise, prologue, random_commands, zero_memories)

SPEC = CocotbSpec(model=GoldenModel, commands=random_commands, exercise=exercise, setup=zero_memories,
                  single_cycle=False, random_commands=4000, resync=lambda model: model.resync())
globals().update(design_tests(SPEC, __name__))

@cocotb.test()
async def streaming_instructions_issue_one_per_cycle(dut):
    """MAC (without COMMIT), SETPTR and WLOAD are the inner loops of the kernels: the CPU must
    be able to issue them every cycle."""
    driver = await fresh_driver(dut, SPEC, "streaming")
    rng = driver.rng
    cmds = prologue(rng)
    await driver.run(cmds)
    single = []
    for _ in range(2000):
        r = rng.random()
        if r < 0.7:
            single.append((MAC, rng.choice((CONV, DW, FC, NOMAC)), rng.getrandbits(32), rng.getrandbits(32)))
        elif r < 0.8:
            single.append((SETPTR, 0, rng.randrange(16), rng.randrange(2) | rng.randrange(4) << 8))
        elif r < 0.95:
            single.append((WLOAD, rng.choice((W_STREAM, W_DIRECT)), rng.getrandbits(32), rng.randrange(16)))
        else:
            single.append((ID, 0, 0, 0))
    stats = await driver.run(single)
    assert stats.cycles <= len(single) + 1, f"{len(single)} streaming commands took {stats.cycles} cycles"


@cocotb.test()
async def commit_to_read_latency(dut):
    """A READ right after a COMMIT waits for the requantizer: bound how long."""
    driver = await fresh_driver(dut, SPEC, "commit_to_read")
    cmds = prologue(driver.rng) + [(MAC, CONV | COMMIT, 0x01020304, 0)]
    await driver.run(cmds)
    stats = await driver.run([(MAC, CONV | COMMIT, 0x01020304, 0), (READ, 0, 0, 0)])
    dut._log.info(f"MAC+COMMIT then READ of the same slot: {stats.cycles} cycles")
    assert stats.cycles <= 12 + LANES   # the requantizer takes a lane per cycle


@cocotb.test()
async def layers_match_tflite_reference(dut):
    """Conv (1x1, KxK, strides, padding), depthwise and fully connected layers computed through
    the instruction set, with idle gaps and backpressure, equal the reference layer outputs."""
    driver = await fresh_driver(dut, SPEC, "layers")
    rng = np.random.default_rng(driver.rng.getrandbits(32))
    for name, program, reference in random_layer_cases(rng):
        stats = await driver.run(program.commands, gap_prob=0.1, stall_prob=0.2)
        outputs = program.outputs(stats.values)
        assert np.array_equal(outputs, reference), f"{name}: outputs differ from the reference\n{outputs}\n{reference}"


@cocotb.test()
async def fetch_streams_memory_into_the_buffers(dut):
    """W_FETCH reads a whole block of rows over the memory port, one word per bus answer (the
    testbench memory adds random wait states), answers once, and the MACs then see exactly
    those words (every READ is checked against the model)."""
    driver = await fresh_driver(dut, SPEC, "fetch")
    rng = driver.rng
    await driver.run(prologue(rng))
    words = 16
    fetch = [(WLOAD, W_SETUP, 0, words), (WLOAD, W_FETCH, rng.getrandbits(32), words * LANES)]
    stats = await driver.run(fetch)
    dut._log.info(f"W_FETCH of {words * LANES} words: {stats.cycles} cycles")
    assert stats.cycles <= 4 * words * LANES + 20, f"{words * LANES} words took {stats.cycles} cycles"
    use = [(SETPTR, 0, 0, 0)] + [(MAC, CONV, rng.getrandbits(32), 0) for _ in range(words)]
    use += [(MAC, NOMAC | COMMIT, 0, 0), (READ, 0, 0, 0), (READ, 0, 1, 0)]
    await driver.run(use, gap_prob=0.2, stall_prob=0.3)

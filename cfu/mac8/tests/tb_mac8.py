"""cocotb tests of mac8's generated Verilog against mac8_model.GoldenModel, and whole layers
against the numpy TFLite reference."""
import random

import cocotb
import numpy as np

from cfu_bench.gateware.cocotb_cfu import CfuDriver, check_back_to_back, check_random, check_resets
from mac8_layers import random_layer_cases
from mac8_model import (CONV, COMMIT, DW, FC, ID, MAC, NOMAC, READ, SETPTR, W_DIRECT, W_STREAM, WLOAD,
                        GoldenModel, prologue, random_commands, zero_memories)


async def fresh_driver(dut):
    """A started driver whose model and CFU agree, memories included (they survive reset and
    hence earlier tests in the same simulation)."""
    driver = CfuDriver(dut, GoldenModel(), random.Random(cocotb.RANDOM_SEED))
    await driver.start()
    await driver.run(zero_memories())
    return driver


@cocotb.test()
async def every_instruction_with_gaps_and_backpressure(dut):
    driver = await fresh_driver(dut)
    await check_random(driver, random_commands(driver.rng, 4000), gap_prob=0.3, stall_prob=0.4)


@cocotb.test()
async def every_instruction_back_to_back(dut):
    driver = await fresh_driver(dut)
    await check_back_to_back(driver, random_commands(driver.rng, 3000), single_cycle=False)


@cocotb.test()
async def streaming_instructions_issue_one_per_cycle(dut):
    """MAC (without COMMIT), SETPTR and WLOAD are the inner loops of the kernels: the CPU must
    be able to issue them every cycle."""
    driver = await fresh_driver(dut)
    rng = driver.rng
    cmds = prologue(rng)
    await check_random(driver, cmds)
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
    await check_back_to_back(driver, single, single_cycle=True)


@cocotb.test()
async def reset_in_the_middle(dut):
    driver = await fresh_driver(dut)
    await check_resets(driver, random_commands(driver.rng, 3000), gap_prob=0.2, stall_prob=0.5)


@cocotb.test()
async def commit_to_read_latency(dut):
    """A READ right after a COMMIT waits for the requantizer: bound how long."""
    driver = await fresh_driver(dut)
    cmds = prologue(driver.rng) + [(MAC, CONV | COMMIT, 0x01020304, 0)]
    await driver.run(cmds)
    stats = await driver.run([(MAC, CONV | COMMIT, 0x01020304, 0), (READ, 0, 0, 0)])
    dut._log.info(f"MAC+COMMIT then READ of the same slot: {stats.cycles} cycles")
    assert stats.cycles <= 20


@cocotb.test()
async def layers_match_tflite_reference(dut):
    """Conv (1x1, KxK, strides, padding), depthwise and fully connected layers computed through
    the instruction set, with idle gaps and backpressure, equal the reference layer outputs."""
    driver = await fresh_driver(dut)
    rng = np.random.default_rng(cocotb.RANDOM_SEED % (1 << 32))
    for name, program, reference in random_layer_cases(rng):
        stats = await driver.run(program.commands, gap_prob=0.1, stall_prob=0.2)
        outputs = program.outputs(stats.values)
        assert np.array_equal(outputs, reference), f"{name}: outputs differ from the reference\n{outputs}\n{reference}"

"""cocotb tests of the baseline CFU's generated Verilog: it answers every instruction with 0,
one per cycle, holds a response under backpressure and survives resets."""
import random

import cocotb

from cfu_bench.gateware.cocotb_cfu import CfuDriver, check_back_to_back, check_random, check_resets
from none_model import GoldenModel, random_commands


async def fresh_driver(dut):
    driver = CfuDriver(dut, GoldenModel(), random.Random(cocotb.RANDOM_SEED))
    await driver.start()
    return driver


@cocotb.test()
async def answers_zero_with_gaps_and_backpressure(dut):
    driver = await fresh_driver(dut)
    await check_random(driver, random_commands(driver.rng, 1000), gap_prob=0.3, stall_prob=0.4)


@cocotb.test()
async def back_to_back_one_per_cycle(dut):
    driver = await fresh_driver(dut)
    await check_back_to_back(driver, random_commands(driver.rng, 500), single_cycle=True)


@cocotb.test()
async def reset_in_the_middle(dut):
    driver = await fresh_driver(dut)
    await check_resets(driver, random_commands(driver.rng, 500), stall_prob=0.5)

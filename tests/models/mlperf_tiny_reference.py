"""The MLPerf Tiny int8 reference models' structure, as the models we build must match it.

Transcribed from the structure read out of the public MLPerf Tiny reference .tflite files
(shapes as AxBxC strings; "-" where a column does not apply). Row fields:
index, op, activation input shape(s), constant input shapes, output shape, kernel, stride,
padding, fused activation, MACs.
"""

# model: op count, MACs, params (int8 weights + int32 biases of CONV/DW/FC), their bytes,
# largest activation tensor in bytes
TOTALS = {
    "kws": dict(ops=13, macs=2_656_768, params=22_604, weight_bytes=24_368,
                largest_activation_bytes=8_000),
    "vww": dict(ops=31, macs=7_489_664, params=210_850, weight_bytes=219_064,
                largest_activation_bytes=36_864),
    "ic": dict(ops=16, macs=12_501_632, params=77_706, weight_bytes=78_744,
               largest_activation_bytes=16_384),
    "ad": dict(ops=10, macs=264_192, params=265_864, weight_bytes=270_880,
               largest_activation_bytes=640),
}

OPS = {
    'kws': [
        (0, 'CONV_2D', '1x49x10x1', '64x10x4x1, 64', '1x25x5x64', '10x4', '2x2', 'SAME', 'RELU', 320000),
        (1, 'DEPTHWISE_CONV_2D', '1x25x5x64', '1x3x3x64, 64', '1x25x5x64', '3x3', '1x1', 'SAME', 'RELU', 72000),
        (2, 'CONV_2D', '1x25x5x64', '64x1x1x64, 64', '1x25x5x64', '1x1', '1x1', 'SAME', 'RELU', 512000),
        (3, 'DEPTHWISE_CONV_2D', '1x25x5x64', '1x3x3x64, 64', '1x25x5x64', '3x3', '1x1', 'SAME', 'RELU', 72000),
        (4, 'CONV_2D', '1x25x5x64', '64x1x1x64, 64', '1x25x5x64', '1x1', '1x1', 'SAME', 'RELU', 512000),
        (5, 'DEPTHWISE_CONV_2D', '1x25x5x64', '1x3x3x64, 64', '1x25x5x64', '3x3', '1x1', 'SAME', 'RELU', 72000),
        (6, 'CONV_2D', '1x25x5x64', '64x1x1x64, 64', '1x25x5x64', '1x1', '1x1', 'SAME', 'RELU', 512000),
        (7, 'DEPTHWISE_CONV_2D', '1x25x5x64', '1x3x3x64, 64', '1x25x5x64', '3x3', '1x1', 'SAME', 'RELU', 72000),
        (8, 'CONV_2D', '1x25x5x64', '64x1x1x64, 64', '1x25x5x64', '1x1', '1x1', 'SAME', 'RELU', 512000),
        (9, 'AVERAGE_POOL_2D', '1x25x5x64', '-', '1x1x1x64', '25x5', '25x5', 'VALID', 'NONE', 0),
        (10, 'RESHAPE', '1x1x1x64', '2', '1x64', '-', '-', '-', '-', 0),
        (11, 'FULLY_CONNECTED', '1x64', '12x64, 12', '1x12', '-', '-', '-', 'NONE', 768),
        (12, 'SOFTMAX', '1x12', '-', '1x12', '-', '-', '-', '-', 0),
    ],
    'vww': [
        (0, 'CONV_2D', '1x96x96x3', '8x3x3x3, 8', '1x48x48x8', '3x3', '2x2', 'SAME', 'RELU', 497664),
        (1, 'DEPTHWISE_CONV_2D', '1x48x48x8', '1x3x3x8, 8', '1x48x48x8', '3x3', '1x1', 'SAME', 'RELU', 165888),
        (2, 'CONV_2D', '1x48x48x8', '16x1x1x8, 16', '1x48x48x16', '1x1', '1x1', 'SAME', 'RELU', 294912),
        (3, 'DEPTHWISE_CONV_2D', '1x48x48x16', '1x3x3x16, 16', '1x24x24x16', '3x3', '2x2', 'SAME', 'RELU', 82944),
        (4, 'CONV_2D', '1x24x24x16', '32x1x1x16, 32', '1x24x24x32', '1x1', '1x1', 'SAME', 'RELU', 294912),
        (5, 'DEPTHWISE_CONV_2D', '1x24x24x32', '1x3x3x32, 32', '1x24x24x32', '3x3', '1x1', 'SAME', 'RELU', 165888),
        (6, 'CONV_2D', '1x24x24x32', '32x1x1x32, 32', '1x24x24x32', '1x1', '1x1', 'SAME', 'RELU', 589824),
        (7, 'DEPTHWISE_CONV_2D', '1x24x24x32', '1x3x3x32, 32', '1x12x12x32', '3x3', '2x2', 'SAME', 'RELU', 41472),
        (8, 'CONV_2D', '1x12x12x32', '64x1x1x32, 64', '1x12x12x64', '1x1', '1x1', 'SAME', 'RELU', 294912),
        (9, 'DEPTHWISE_CONV_2D', '1x12x12x64', '1x3x3x64, 64', '1x12x12x64', '3x3', '1x1', 'SAME', 'RELU', 82944),
        (10, 'CONV_2D', '1x12x12x64', '64x1x1x64, 64', '1x12x12x64', '1x1', '1x1', 'SAME', 'RELU', 589824),
        (11, 'DEPTHWISE_CONV_2D', '1x12x12x64', '1x3x3x64, 64', '1x6x6x64', '3x3', '2x2', 'SAME', 'RELU', 20736),
        (12, 'CONV_2D', '1x6x6x64', '128x1x1x64, 128', '1x6x6x128', '1x1', '1x1', 'SAME', 'RELU', 294912),
        (13, 'DEPTHWISE_CONV_2D', '1x6x6x128', '1x3x3x128, 128', '1x6x6x128', '3x3', '1x1', 'SAME', 'RELU', 41472),
        (14, 'CONV_2D', '1x6x6x128', '128x1x1x128, 128', '1x6x6x128', '1x1', '1x1', 'SAME', 'RELU', 589824),
        (15, 'DEPTHWISE_CONV_2D', '1x6x6x128', '1x3x3x128, 128', '1x6x6x128', '3x3', '1x1', 'SAME', 'RELU', 41472),
        (16, 'CONV_2D', '1x6x6x128', '128x1x1x128, 128', '1x6x6x128', '1x1', '1x1', 'SAME', 'RELU', 589824),
        (17, 'DEPTHWISE_CONV_2D', '1x6x6x128', '1x3x3x128, 128', '1x6x6x128', '3x3', '1x1', 'SAME', 'RELU', 41472),
        (18, 'CONV_2D', '1x6x6x128', '128x1x1x128, 128', '1x6x6x128', '1x1', '1x1', 'SAME', 'RELU', 589824),
        (19, 'DEPTHWISE_CONV_2D', '1x6x6x128', '1x3x3x128, 128', '1x6x6x128', '3x3', '1x1', 'SAME', 'RELU', 41472),
        (20, 'CONV_2D', '1x6x6x128', '128x1x1x128, 128', '1x6x6x128', '1x1', '1x1', 'SAME', 'RELU', 589824),
        (21, 'DEPTHWISE_CONV_2D', '1x6x6x128', '1x3x3x128, 128', '1x6x6x128', '3x3', '1x1', 'SAME', 'RELU', 41472),
        (22, 'CONV_2D', '1x6x6x128', '128x1x1x128, 128', '1x6x6x128', '1x1', '1x1', 'SAME', 'RELU', 589824),
        (23, 'DEPTHWISE_CONV_2D', '1x6x6x128', '1x3x3x128, 128', '1x3x3x128', '3x3', '2x2', 'SAME', 'RELU', 10368),
        (24, 'CONV_2D', '1x3x3x128', '256x1x1x128, 256', '1x3x3x256', '1x1', '1x1', 'SAME', 'RELU', 294912),
        (25, 'DEPTHWISE_CONV_2D', '1x3x3x256', '1x3x3x256, 256', '1x3x3x256', '3x3', '1x1', 'SAME', 'RELU', 20736),
        (26, 'CONV_2D', '1x3x3x256', '256x1x1x256, 256', '1x3x3x256', '1x1', '1x1', 'SAME', 'RELU', 589824),
        (27, 'AVERAGE_POOL_2D', '1x3x3x256', '-', '1x1x1x256', '3x3', '3x3', 'VALID', 'NONE', 0),
        (28, 'RESHAPE', '1x1x1x256', '2', '1x256', '-', '-', '-', '-', 0),
        (29, 'FULLY_CONNECTED', '1x256', '2x256, 2', '1x2', '-', '-', '-', 'NONE', 512),
        (30, 'SOFTMAX', '1x2', '-', '1x2', '-', '-', '-', '-', 0),
    ],
    'ic': [
        (0, 'CONV_2D', '1x32x32x3', '16x3x3x3, 16', '1x32x32x16', '3x3', '1x1', 'SAME', 'RELU', 442368),
        (1, 'CONV_2D', '1x32x32x16', '16x3x3x16, 16', '1x32x32x16', '3x3', '1x1', 'SAME', 'RELU', 2359296),
        (2, 'CONV_2D', '1x32x32x16', '16x3x3x16, 16', '1x32x32x16', '3x3', '1x1', 'SAME', 'NONE', 2359296),
        (3, 'ADD', '1x32x32x16, 1x32x32x16', '-', '1x32x32x16', '-', '-', '-', 'RELU', 0),
        (4, 'CONV_2D', '1x32x32x16', '32x3x3x16, 32', '1x16x16x32', '3x3', '2x2', 'SAME', 'RELU', 1179648),
        (5, 'CONV_2D', '1x16x16x32', '32x3x3x32, 32', '1x16x16x32', '3x3', '1x1', 'SAME', 'NONE', 2359296),
        (6, 'CONV_2D', '1x32x32x16', '32x1x1x16, 32', '1x16x16x32', '1x1', '2x2', 'SAME', 'NONE', 131072),
        (7, 'ADD', '1x16x16x32, 1x16x16x32', '-', '1x16x16x32', '-', '-', '-', 'RELU', 0),
        (8, 'CONV_2D', '1x16x16x32', '64x3x3x32, 64', '1x8x8x64', '3x3', '2x2', 'SAME', 'RELU', 1179648),
        (9, 'CONV_2D', '1x8x8x64', '64x3x3x64, 64', '1x8x8x64', '3x3', '1x1', 'SAME', 'NONE', 2359296),
        (10, 'CONV_2D', '1x16x16x32', '64x1x1x32, 64', '1x8x8x64', '1x1', '2x2', 'SAME', 'NONE', 131072),
        (11, 'ADD', '1x8x8x64, 1x8x8x64', '-', '1x8x8x64', '-', '-', '-', 'RELU', 0),
        (12, 'AVERAGE_POOL_2D', '1x8x8x64', '-', '1x1x1x64', '8x8', '8x8', 'VALID', 'NONE', 0),
        (13, 'RESHAPE', '1x1x1x64', '2', '1x64', '-', '-', '-', '-', 0),
        (14, 'FULLY_CONNECTED', '1x64', '10x64, 10', '1x10', '-', '-', '-', 'NONE', 640),
        (15, 'SOFTMAX', '1x10', '-', '1x10', '-', '-', '-', '-', 0),
    ],
    'ad': [
        (0, 'FULLY_CONNECTED', '1x640', '128x640, 128', '1x128', '-', '-', '-', 'RELU', 81920),
        (1, 'FULLY_CONNECTED', '1x128', '128x128, 128', '1x128', '-', '-', '-', 'RELU', 16384),
        (2, 'FULLY_CONNECTED', '1x128', '128x128, 128', '1x128', '-', '-', '-', 'RELU', 16384),
        (3, 'FULLY_CONNECTED', '1x128', '128x128, 128', '1x128', '-', '-', '-', 'RELU', 16384),
        (4, 'FULLY_CONNECTED', '1x128', '8x128, 8', '1x8', '-', '-', '-', 'RELU', 1024),
        (5, 'FULLY_CONNECTED', '1x8', '128x8, 128', '1x128', '-', '-', '-', 'RELU', 1024),
        (6, 'FULLY_CONNECTED', '1x128', '128x128, 128', '1x128', '-', '-', '-', 'RELU', 16384),
        (7, 'FULLY_CONNECTED', '1x128', '128x128, 128', '1x128', '-', '-', '-', 'RELU', 16384),
        (8, 'FULLY_CONNECTED', '1x128', '128x128, 128', '1x128', '-', '-', '-', 'RELU', 16384),
        (9, 'FULLY_CONNECTED', '1x128', '640x128, 640', '1x640', '-', '-', '-', 'NONE', 81920),
    ],
}

# IC's residual joins: ADD op index -> the op indices whose outputs it adds, in input order.
IC_ADD_INPUTS = {3: (0, 2), 7: (6, 5), 11: (10, 9)}

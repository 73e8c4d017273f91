/* Reference LOGISTIC and TANH. int8: TFLM reference_integer_ops::Logistic / Tanh (gemmlowp
 * fixed point on Q4.27 inputs, outside the input radius the result saturates). int16: TFLM's
 * interpolation in a 256-entry table of sigmoid(i/24) in 0.16 format, tanh(x) = 2 sigmoid(2x) - 1. */
#include "cfub_kernels.h"

/* The values TFLM tabulates (kernels/internal/common.h sigmoid_table_uint16): close to
 * round(65536 / (1 + exp(-i / 24))) but not exactly that, so they are listed, not computed. */
static const uint16_t kSigmoidTable[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
    43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
    51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
    61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
    63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
    64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
    65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
    65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
    65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
    65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
    65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535,
};

void cfub_ref_logistic_i8(const cfub_sigmoid_params *p, const int8_t *input, int8_t *output) {
    for (int32_t i = 0; i < p->size; ++i) {
        const int32_t v = input[i] - p->input_zero_point;
        if (v <= -p->input_range_radius) {
            output[i] = INT8_MIN;
        } else if (v >= p->input_range_radius) {
            output[i] = INT8_MAX;
        } else {
            const int32_t input_in_q4 = cfub_mbqm(v, p->input_multiplier, p->input_left_shift);
            const int32_t output_in_q0 = cfub_fixed_logistic(input_in_q4, 4);
            const int32_t output_in_q23 = cfub_rdbpot(output_in_q0, 31 - 8);
            output[i] = (int8_t)cfub_clamp(output_in_q23 - 128, INT8_MIN, INT8_MAX);
        }
    }
}

void cfub_ref_tanh_i8(const cfub_sigmoid_params *p, const int8_t *input, int8_t *output) {
    for (int32_t i = 0; i < p->size; ++i) {
        const int32_t v = input[i] - p->input_zero_point;
        if (v <= -p->input_range_radius) {
            output[i] = INT8_MIN;
        } else if (v >= p->input_range_radius) {
            output[i] = INT8_MAX;
        } else {
            const int32_t input_in_q4 = cfub_mbqm(v, p->input_multiplier, p->input_left_shift);
            const int32_t output_in_q0 = cfub_fixed_tanh(input_in_q4, 4);
            const int32_t output_in_q24 = cfub_rdbpot(output_in_q0, 31 - 7);
            output[i] = (int8_t)cfub_clamp(output_in_q24, INT8_MIN, INT8_MAX);
        }
    }
}

/* the input on the table's scale: x * multiplier / 2^shift, rounded; a power-of-two input
 * scale (multiplier 0) takes the fixed multiplier 3 << shift */
static inline int32_t table_input(int32_t x, int32_t multiplier, int32_t left_shift) {
    if (multiplier == 0) {
        multiplier = 3 << left_shift;
        left_shift = 0;
    }
    const int32_t round = left_shift > 0 ? INT32_C(1) << (left_shift - 1) : 0;
    return (x * multiplier + round) >> left_shift;
}

void cfub_ref_logistic_i16(const cfub_sigmoid_params *p, const int16_t *input, int16_t *output) {
    for (int32_t i = 0; i < p->size; ++i) {
        const int32_t x = table_input(input[i], p->input_multiplier, p->input_left_shift);
        const uint32_t abs_x = x < 0 ? 0u - (uint32_t)x : (uint32_t)x;
        const uint32_t uh = abs_x >> 9;
        uint32_t result;
        if (uh >= 255) {
            result = 0x7FFFu << 10;
        } else {
            const uint32_t ua = kSigmoidTable[uh], ub = kSigmoidTable[uh + 1];
            result = (ua << 9) + (abs_x & 0x1ffu) * (ub - ua);
        }
        result = x >= 0 ? result + (1u << 9) : (1u << (16 + 9)) - result + (1u << 9) - 1u;
        output[i] = (int16_t)(result >> 10);
    }
}

void cfub_ref_tanh_i16(const cfub_sigmoid_params *p, const int16_t *input, int16_t *output) {
    for (int32_t i = 0; i < p->size; ++i) {
        const int32_t x = table_input(input[i], p->input_multiplier, p->input_left_shift);
        const uint32_t abs_x = x < 0 ? 0u - (uint32_t)x : (uint32_t)x;
        const uint32_t uh = abs_x >> 8;
        int32_t result;
        if (uh >= 255) {
            result = 0xFFFF << 8;
        } else {
            const uint32_t ua = kSigmoidTable[uh], ub = kSigmoidTable[uh + 1];
            result = (int32_t)((ua << 8) + (uint8_t)(abs_x & 0xFFu) * (ub - ua));
        }
        result = x >= 0 ? result - (1 << (14 + 9)) + (1 << (9 - 2)) : -result + (1 << (14 + 9)) + (1 << (9 - 2)) - 1;
        output[i] = (int16_t)(result >> (9 - 1));
    }
}

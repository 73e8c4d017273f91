#include "ee_format.h"

#include <string.h>

void ee_format_uint(uint64_t v, char *buf) {
    char tmp[21];
    int i = 20;
    tmp[i] = 0;
    do {
        tmp[--i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v);
    memcpy(buf, tmp + i, (size_t)(21 - i));
}

void ee_format_fixed6(float v, char *buf) {
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    const int negative = (int)(bits >> 31);
    const int exp_field = (int)((bits >> 23) & 0xffu);
    uint64_t mant = bits & 0x7fffffu;
    if (exp_field == 0xff) {
        strcpy(buf, mant ? "nan" : (negative ? "-inf" : "inf"));
        return;
    }
    /* v = mant * 2^e exactly */
    int e;
    if (exp_field == 0) {
        e = -149;
    } else {
        mant |= 0x800000u;
        e = exp_field - 150;
    }
    if (e > 19) { /* >= 2^43: past what the 64-bit scaled value below holds */
        strcpy(buf, "overflow");
        return;
    }
    /* scaled = round(mant * 2^e * 10^6), half away from zero; mant * 10^6 < 2^44 */
    uint64_t scaled = mant * 1000000u;
    if (e >= 0) {
        scaled <<= e;
    } else if (e > -64) {
        const uint64_t half = (uint64_t)1 << (-e - 1);
        scaled = (scaled + half) >> -e;
    } else {
        scaled = 0;
    }
    char *p = buf;
    if (negative && scaled) *p++ = '-';
    ee_format_uint(scaled / 1000000u, p);
    p += strlen(p);
    *p++ = '.';
    uint32_t frac = (uint32_t)(scaled % 1000000u);
    for (int d = 5; d >= 0; d--) {
        p[d] = (char)('0' + (int)(frac % 10u));
        frac /= 10u;
    }
    p[6] = 0;
}

float ee_dequantize(int32_t q, float scale, int32_t zero_point) {
    return (float)(q - zero_point) * scale;
}

int ee_reconstruction_mse(const ee_qtensor *out, const ee_qtensor *in, size_t n, float *mse) {
    float sum = 0.0f;
    for (size_t i = 0; i < n; i++) {
        int32_t qo, qi;
        if (ee_quantized_at(out->data, out->type, i, &qo) || ee_quantized_at(in->data, in->type, i, &qi))
            return -1;
        const float d = ee_dequantize(qo, out->scale, out->zero_point) -
                        ee_dequantize(qi, in->scale, in->zero_point);
        sum += d * d;
    }
    *mse = n ? sum / (float)n : 0.0f;
    return 0;
}

int ee_quantized_at(const uint8_t *data, int type, size_t k, int32_t *q) {
    switch (type) {
    case 9: /* INT8 */
        *q = (int8_t)data[k];
        return 0;
    case 3: /* UINT8 */
        *q = data[k];
        return 0;
    case 7: { /* INT16, little-endian */
        int16_t v;
        memcpy(&v, data + 2 * k, sizeof v);
        *q = v;
        return 0;
    }
    default:
        return -1;
    }
}

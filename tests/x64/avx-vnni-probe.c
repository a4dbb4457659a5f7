/* Test tooling for run-with-avx-vnni.sh: exits 0 if this process sees AVX-VNNI in CPUID and the CPU executes a VEX
 * vpdpbusd correctly, else prints why and exits 1. The instruction is spelled as bytes so that any assembler builds it. */
#include <cpuid.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void on_sigill(int sig)
{
    (void)sig;
    static const char message[] = "this CPU does not execute AVX-VNNI instructions (vpdpbusd raised SIGILL)\n";
    write(2, message, sizeof message - 1);
    _exit(1);
}

int main(void)
{
    unsigned a, b, c, d;
    __cpuid_count(7, 1, a, b, c, d);
    if (!(a & (1u << 4))) {
        fprintf(stderr, "CPUID does not report AVX-VNNI in this process (no CPUID faulting?)\n");
        return 1;
    }
    signal(SIGILL, on_sigill);
    int32_t acc[8] = {0};
    uint8_t u[32];
    int8_t s[32];
    for (int i = 0; i < 32; i++) {
        u[i] = (uint8_t)(255 - 3 * i);
        s[i] = (int8_t)(7 * i - 128);
    }
    __asm__ volatile("vmovdqu %0, %%ymm0\n\t"
                     "vmovdqu %1, %%ymm1\n\t"
                     "vmovdqu %2, %%ymm2\n\t"
                     ".byte 0xc4, 0xe2, 0x75, 0x50, 0xc2\n\t" /* {vex} vpdpbusd ymm0, ymm1, ymm2 */
                     "vmovdqu %%ymm0, %0\n\t"
                     "vzeroupper"
                     : "+m"(*(int32_t(*)[8])acc)
                     : "m"(*(uint8_t(*)[32])u), "m"(*(int8_t(*)[32])s)
                     : "xmm0", "xmm1", "xmm2");
    for (int l = 0; l < 8; l++) {
        int32_t expected = 0;
        for (int k = 0; k < 4; k++)
            expected += u[4 * l + k] * s[4 * l + k];
        if (acc[l] != expected) {
            fprintf(stderr, "vpdpbusd gave %d in lane %d, expected %d\n", acc[l], l, expected);
            return 1;
        }
    }
    return 0;
}

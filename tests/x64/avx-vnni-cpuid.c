/*
 * Test tooling, not part of any package: an LD_PRELOAD library that makes a process see AVX-VNNI in CPUID (leaf 7,
 * subleaf 1, EAX bit 4) on a CPU that implements the instructions but does not report them, as Sapphire and Emerald
 * Rapids virtual machines whose hypervisor hides the bit do. It uses Linux's CPUID faulting (arch_prctl ARCH_SET_CPUID):
 * every CPUID instruction then traps, and the SIGSEGV handler here answers it with the real values plus that one bit.
 * Every other SIGSEGV goes to the handler the program installed (.NET's, for null references), which this library keeps
 * behind its own by interposing sigaction. Used by run-with-avx-vnni.sh; see docs/benchmarks.md, session 7.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <dlfcn.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static int (*real_sigaction)(int, const struct sigaction *, struct sigaction *);
static struct sigaction program_action; /* the SIGSEGV action the program asked for */

static long set_cpuid_faulting(int on) { return syscall(SYS_arch_prctl, ARCH_SET_CPUID, on ? 0 : 1); }

static void on_segv(int sig, siginfo_t *info, void *context)
{
    greg_t *r = ((ucontext_t *)context)->uc_mcontext.gregs;
    const uint8_t *ip = (const uint8_t *)r[REG_RIP];
    if (info->si_code == SI_KERNEL && ip[0] == 0x0F && ip[1] == 0xA2) {
        uint32_t leaf = (uint32_t)r[REG_RAX], subleaf = (uint32_t)r[REG_RCX], a, b, c, d;
        set_cpuid_faulting(0);
        __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(subleaf));
        set_cpuid_faulting(1);
        if (leaf == 7 && subleaf == 1)
            a |= 1u << 4; /* AVX-VNNI */
        r[REG_RAX] = a;
        r[REG_RBX] = b;
        r[REG_RCX] = c;
        r[REG_RDX] = d;
        r[REG_RIP] += 2;
        return;
    }
    if (program_action.sa_flags & SA_SIGINFO) {
        program_action.sa_sigaction(sig, info, context);
    } else if (program_action.sa_handler == SIG_DFL) {
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        real_sigaction(SIGSEGV, &dfl, 0); /* the faulting instruction runs again and ends the process as it would have */
    } else if (program_action.sa_handler != SIG_IGN) {
        program_action.sa_handler(sig);
    }
}

static void install(int flags, const sigset_t *mask)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    /* SA_NODEFER: .NET turns a null reference into an exception without returning from its handler; without the flag the
     * first NullReferenceException under this library ends the process (tried). */
    sa.sa_flags = (flags | SA_SIGINFO | SA_NODEFER) & ~SA_RESETHAND;
    if (mask)
        sa.sa_mask = *mask;
    real_sigaction(SIGSEGV, &sa, 0);
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (!real_sigaction)
        real_sigaction = (int (*)(int, const struct sigaction *, struct sigaction *))dlsym(RTLD_NEXT, "sigaction");
    if (sig != SIGSEGV)
        return real_sigaction(sig, act, old);
    if (old)
        *old = program_action;
    if (act) {
        program_action = *act;
        install(act->sa_flags, &act->sa_mask); /* keep the program's flags (its alternate stack) and mask */
    }
    return 0;
}

__attribute__((constructor)) static void start(void)
{
    real_sigaction = (int (*)(int, const struct sigaction *, struct sigaction *))dlsym(RTLD_NEXT, "sigaction");
    program_action.sa_handler = SIG_DFL;
    install(0, 0);
    set_cpuid_faulting(1); /* fails harmlessly without CPUID faulting: the program then sees the real CPUID */
}

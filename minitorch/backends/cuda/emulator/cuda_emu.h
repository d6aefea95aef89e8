// cuda_emu.h — enough of CUDA's execution model to run our .cu kernels on a CPU with g++.
//
// A kernel source is compiled as ordinary C++ after this header. What the header provides:
//
//  * The keywords: __global__, __device__, __forceinline__ vanish; __shared__ becomes
//    `static`. Blocks run one after another, so one static array per kernel is exactly
//    "one copy per block". Shared memory starts every block filled with 0xFF bytes (NaN as
//    float or double, -1 as an integer): the build step (build.py) follows each __shared__
//    declaration with a call to emu_shared_memory(), which poisons the array the first time
//    a thread of a new block reaches it. Reading a slot before it was written gives NaN, not
//    a plausible leftover from the previous block or launch.
//  * threadIdx, blockIdx, blockDim, gridDim: globals that the scheduler sets before it
//    resumes a thread.
//  * Threads as fibers. Every thread of a block is a ucontext fiber with its own stack. The
//    scheduler runs the block in *phases*: in each phase it resumes every live thread once, in
//    a fixed order, and the thread runs until it calls __syncthreads() or returns.
//    __syncthreads() switches back to the scheduler, so no thread passes a barrier before
//    every other thread of its block has reached it (or finished): a real barrier. Between
//    two barriers threads run one at a time, to completion, in increasing threadIdx order
//    (or decreasing: emu_launch's `reverse`). A missing barrier therefore shows up as a wrong
//    answer that is the same on every run, instead of a rare flake: with increasing order,
//    thread 0 reads partial[0 + s] before thread s has written it.
//  * atomicAdd: threads never run at the same time, so a plain read-modify-write is atomic.
//  * __int_as_float and friends, and the float/double overloads of the math functions.
//
// Bounds checking is done by the Python launcher with guard pages (emu_alloc below): every
// array argument is copied into its own mapping that ends exactly at an inaccessible page,
// with another inaccessible page in front and a canary pattern in the slack before the data;
// arrays the kernel declares `const` are made read-only. A stray access raises SIGSEGV, which
// emu_launch catches (on an alternate signal stack) and reports with the faulting address, the
// kind of access and the block and thread that made it; the launcher turns the address into
// "argument y, element 17, past the end".
#pragma once

#include <cmath>
#include <csetjmp>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

// ------------------------------------------------------------------------- keywords
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(...)

// ------------------------------------------------------------ the built-in variables
struct uint3 {
    unsigned int x, y, z;
};
struct dim3 {
    unsigned int x, y, z;
};

static uint3 threadIdx;
static uint3 blockIdx;
static dim3 blockDim;
static dim3 gridDim;

// ------------------------------------------------------------------- device library
using std::exp;
using std::isinf;
using std::isnan;
using std::log;
using std::sqrt;
using std::tanh;

inline float __int_as_float(int bits) {
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}
inline int __float_as_int(float f) {
    int bits;
    std::memcpy(&bits, &f, sizeof bits);
    return bits;
}
inline double __longlong_as_double(long long bits) {
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
}
inline long long __double_as_longlong(double d) {
    long long bits;
    std::memcpy(&bits, &d, sizeof bits);
    return bits;
}

// atomicAdd returns the old value, as CUDA's does.
template <typename V>
inline V atomicAdd(V* address, V value) {
    V old = *address;
    *address = old + value;
    return old;
}

// ------------------------------------------------------------------ the scheduler
namespace emu {

const size_t kStackBytes = 256 * 1024;  // per thread; a guard page sits below each stack
const unsigned kMaxThreads = 1024;     // CUDA's limit on threads per block

struct Fiber {
    ucontext_t context;
    char* stack;  // kStackBytes usable bytes above a PROT_NONE page
    bool done;
};

static Fiber g_fibers[kMaxThreads];
static ucontext_t g_scheduler;
static unsigned g_current;            // index of the running fiber
static void (*g_thunk)(void**);       // calls the kernel with its arguments
static void** g_args;
static long long g_barriers;          // __syncthreads() calls so far (for tests)
static unsigned long long g_block_serial;  // numbers every block run, across launches

// Shared arrays seen so far, and the block that last poisoned each.
struct SharedArray {
    void* address;
    unsigned long long poisoned_in;
};
static SharedArray g_shared[256];
static unsigned g_shared_count;

// Fault reporting (see the header comment).
static sigjmp_buf g_fault_jump;
static char g_signal_stack[64 * 1024];

}  // namespace emu

// What emu_launch reports about a fault. Mirrored by a ctypes.Structure in launcher.py.
struct EmuFault {
    int signal;          // SIGSEGV, SIGBUS or SIGFPE; 0 when the launch succeeded
    int is_write;        // 1 write, 0 read, -1 unknown
    unsigned long long address;
    unsigned int block[3];
    unsigned int thread[3];
};
static EmuFault g_fault;

inline void __syncthreads() {
    emu::g_barriers++;
    swapcontext(&emu::g_fibers[emu::g_current].context, &emu::g_scheduler);
}

// Called (by code build.py inserts) right after every __shared__ declaration: the first thread
// of each block to get there fills the array with 0xFF bytes.
inline void emu_shared_memory(void* address, size_t bytes) {
    using emu::g_shared;
    unsigned k = 0;
    while (k < emu::g_shared_count && g_shared[k].address != address) ++k;
    if (k == emu::g_shared_count) {
        if (k == sizeof g_shared / sizeof g_shared[0]) std::abort();  // absurdly many
        g_shared[k] = emu::SharedArray{address, 0};
        ++emu::g_shared_count;
    }
    if (g_shared[k].poisoned_in != emu::g_block_serial) {
        std::memset(address, 0xFF, bytes);
        g_shared[k].poisoned_in = emu::g_block_serial;
    }
}

namespace emu {

static void fiber_main() {
    g_thunk(g_args);
    g_fibers[g_current].done = true;
    // returning resumes uc_link, the scheduler
}

static void on_fault(int signal, siginfo_t* info, void* context) {
    g_fault.signal = signal;
    g_fault.address = (unsigned long long)(uintptr_t)info->si_addr;
    g_fault.is_write = -1;
#if defined(__x86_64__)
    // Bit 1 of the page-fault error code says whether the access was a write.
    if (signal == SIGSEGV) {
        const ucontext_t* uc = static_cast<const ucontext_t*>(context);
        g_fault.is_write = (uc->uc_mcontext.gregs[REG_ERR] & 2) ? 1 : 0;
    }
#else
    (void)context;
#endif
    g_fault.block[0] = blockIdx.x, g_fault.block[1] = blockIdx.y, g_fault.block[2] = blockIdx.z;
    g_fault.thread[0] = threadIdx.x, g_fault.thread[1] = threadIdx.y,
    g_fault.thread[2] = threadIdx.z;
    siglongjmp(g_fault_jump, 1);
}

static bool ensure_stacks(unsigned count) {
    long page = sysconf(_SC_PAGESIZE);
    for (unsigned t = 0; t < count; ++t) {
        if (g_fibers[t].stack) continue;
        char* base = static_cast<char*>(mmap(nullptr, kStackBytes + page, PROT_READ | PROT_WRITE,
                                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        if (base == MAP_FAILED) return false;
        mprotect(base, page, PROT_NONE);  // a stack overflow faults instead of corrupting
        g_fibers[t].stack = base + page;
    }
    return true;
}

// Runs one block: phases of "resume every live thread once" until all have returned.
static void run_block(unsigned threads, int reverse) {
    for (unsigned t = 0; t < threads; ++t) {
        Fiber& f = g_fibers[t];
        getcontext(&f.context);
        f.context.uc_stack.ss_sp = f.stack;
        f.context.uc_stack.ss_size = kStackBytes;
        f.context.uc_link = &g_scheduler;
        makecontext(&f.context, fiber_main, 0);
        f.done = false;
    }
    unsigned live = threads;
    while (live > 0) {
        for (unsigned k = 0; k < threads; ++k) {
            unsigned t = reverse ? threads - 1 - k : k;
            if (g_fibers[t].done) continue;
            g_current = t;
            threadIdx.x = t % blockDim.x;
            threadIdx.y = (t / blockDim.x) % blockDim.y;
            threadIdx.z = t / (blockDim.x * blockDim.y);
            swapcontext(&g_scheduler, &g_fibers[t].context);
            if (g_fibers[t].done) --live;
        }
    }
}

}  // namespace emu

// ------------------------------------------------------------- the exported C API
extern "C" {

// Launches thunk(args) on a grid × block of emulated threads. Returns 0, or -1 when the
// geometry is invalid, or 1 after a fault (described in *fault).
int emu_launch(void (*thunk)(void**), void** args, unsigned gx, unsigned gy, unsigned gz,
               unsigned bx, unsigned by, unsigned bz, int reverse, EmuFault* fault) {
    unsigned long long threads = (unsigned long long)bx * by * bz;
    std::memset(fault, 0, sizeof *fault);
    if (threads == 0 || threads > emu::kMaxThreads || gx == 0 || gy == 0 || gz == 0) return -1;
    if (!emu::ensure_stacks((unsigned)threads)) return -1;
    emu::g_thunk = thunk;
    emu::g_args = args;
    gridDim = dim3{gx, gy, gz};
    blockDim = dim3{bx, by, bz};

    // Catch stray accesses for the duration of the launch, then put Python's handlers back.
    stack_t alt = {}, old_alt = {};
    alt.ss_sp = emu::g_signal_stack;
    alt.ss_size = sizeof emu::g_signal_stack;
    sigaltstack(&alt, &old_alt);
    struct sigaction action = {}, old_segv = {}, old_bus = {}, old_fpe = {};
    action.sa_sigaction = emu::on_fault;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &old_segv);
    sigaction(SIGBUS, &action, &old_bus);
    sigaction(SIGFPE, &action, &old_fpe);

    int status = 0;
    g_fault = EmuFault{};
    if (sigsetjmp(emu::g_fault_jump, 1) == 0) {
        for (unsigned z = 0; z < gz; ++z)
            for (unsigned y = 0; y < gy; ++y)
                for (unsigned x = 0; x < gx; ++x) {
                    blockIdx = uint3{x, y, z};
                    ++emu::g_block_serial;
                    emu::run_block((unsigned)threads, reverse);
                }
    } else {
        *fault = g_fault;
        status = 1;
    }

    sigaction(SIGSEGV, &old_segv, nullptr);
    sigaction(SIGBUS, &old_bus, nullptr);
    sigaction(SIGFPE, &old_fpe, nullptr);
    sigaltstack(&old_alt, nullptr);
    return status;
}

long long emu_barrier_count() { return emu::g_barriers; }

long emu_page_size() { return sysconf(_SC_PAGESIZE); }

// Guarded buffers for kernel arguments. Layout (P = page size, D = data pages):
//
//   [ guard page | canary ... data (nbytes) | guard page ]
//   base          base + P     end - nbytes  end = base + P + D·P
//
// The data ends exactly at the second guard page, so any access past the end faults; the
// first guard page catches accesses far before the start, the canary writes just before it.
static const unsigned char kCanary = 0xA5;

static size_t data_pages(size_t nbytes) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (nbytes + page - 1) / page;
}

void* emu_alloc(size_t nbytes) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE), pages = data_pages(nbytes);
    char* base = static_cast<char*>(mmap(nullptr, (pages + 2) * page, PROT_READ | PROT_WRITE,
                                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (base == MAP_FAILED) return nullptr;
    mprotect(base, page, PROT_NONE);
    mprotect(base + (pages + 1) * page, page, PROT_NONE);
    char* data = base + (pages + 1) * page - nbytes;
    std::memset(base + page, kCanary, (size_t)(data - (base + page)));
    return data;
}

static char* base_of(void* data, size_t nbytes) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return static_cast<char*>(data) + nbytes - (data_pages(nbytes) + 1) * page;
}

// Makes the data pages read-only (for `const` arguments), after the launcher filled them.
int emu_make_readonly(void* data, size_t nbytes) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE), pages = data_pages(nbytes);
    if (pages == 0) return 0;
    return mprotect(base_of(data, nbytes) + page, pages * page, PROT_READ);
}

// How many bytes before the data were overwritten (0: the canary is intact).
long emu_canary_damage(void* data, size_t nbytes) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    unsigned char* start = reinterpret_cast<unsigned char*>(base_of(data, nbytes) + page);
    unsigned char* end = static_cast<unsigned char*>(data);
    for (unsigned char* p = start; p < end; ++p)
        if (*p != kCanary) return (long)(end - p);
    return 0;
}

void emu_free(void* data, size_t nbytes) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    munmap(base_of(data, nbytes), (data_pages(nbytes) + 2) * page);
}

}  // extern "C"

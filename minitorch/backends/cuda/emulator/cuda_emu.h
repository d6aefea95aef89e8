// cuda_emu.h — CUDA's execution model, made stricter than a GPU, to run our .cu kernels on a
// CPU with g++.
//
// A kernel source is compiled as ordinary C++ after this header, with g++'s
// -fsanitize=thread *instrumentation* but without its runtime: every load and store the kernel
// makes calls __tsan_readN / __tsan_writeN, and this header defines those hooks itself (the
// race detector below). What the header provides:
//
//  * The keywords: __global__, __device__, __forceinline__ vanish; __shared__ becomes
//    `static`. Blocks run one after another, so one static array per kernel is exactly "one
//    copy per block". The build step (build.py) follows each __shared__ declaration with a
//    call to emu_shared_memory(), which, the first time a thread of a new block reaches it,
//    fills the array with 0xFF bytes (NaN as float or double, -1 as an integer), registers it
//    with the race detector, and adds its size to the block's static shared memory, which
//    may not exceed 48 KB (ptxas refuses more for a static array).
//  * threadIdx, blockIdx, blockDim, gridDim: globals that the scheduler sets before it
//    resumes a thread.
//  * Threads as fibers. Every thread of a block is a ucontext fiber with its own stack. The
//    scheduler runs a block in *phases*: in each phase it resumes every live thread once and
//    the thread runs until it calls __syncthreads() or returns. __syncthreads() switches back
//    to the scheduler, so no thread passes a barrier before every other thread of its block
//    has reached it (or finished): a real barrier.
//  * Seeded random schedules. The blocks of a grid run in a random order, and in every phase
//    the threads of a block run in a fresh random permutation, both drawn from the launch's
//    seed. A GPU promises no order at all; a kernel that gives the right answer only in some
//    order is wrong, and different seeds show it.
//  * A race detector, so that order independence is proven for the schedule that ran, not
//    hoped for. Every 4- or 8-byte word of every array argument and every shared array has
//    shadow state: who last wrote it and who read it since (block, thread, barrier phase,
//    atomic or not). Two accesses to a word *race* when they come from different threads, at
//    least one writes, they are not both atomic, and no barrier orders them — which within a
//    launch means: same block and different phases. Threads of different blocks are never
//    ordered. The first race stops the launch and is reported with the kernel, the argument
//    (or shared array) and element, and both threads.
//  * Atomics (atomicAdd, atomicMax, atomicMin, atomicExch, atomicCAS): real read-modify-write
//    semantics (a fiber is never switched out inside one) and recorded as atomic accesses.
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

// The emulator's own code must not be instrumented: only the kernels' accesses are checked.
#define EMU_RUNTIME __attribute__((no_sanitize_thread, noinline))
#define EMU_INLINE __attribute__((no_sanitize_thread)) inline

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

// What emu_launch reports about a failed launch. Mirrored by a ctypes.Structure in abi.py.
enum EmuFaultKind { EMU_OK = 0, EMU_SIGNAL = 1, EMU_RACE = 2, EMU_SHARED_LIMIT = 3 };
enum EmuAccess { EMU_READ = 0, EMU_WRITE = 1, EMU_ATOMIC = 2 };
struct EmuFault {
    int kind;            // EmuFaultKind
    int signal;          // SIGSEGV, SIGBUS or SIGFPE for EMU_SIGNAL
    int is_write;        // EMU_SIGNAL: 1 write, 0 read, -1 unknown
    unsigned long long address;
    unsigned int block[3];
    unsigned int thread[3];
    // EMU_RACE: where (region: argument index, or -1 - shared array index), and the other side
    int region;
    unsigned long long offset;  // bytes from the region's start
    int access;                 // EmuAccess of this thread (block, thread above)
    int other_access;           // EmuAccess of the other thread
    unsigned int other_block[3];
    unsigned int other_thread[3];
    // EMU_SHARED_LIMIT: bytes of static shared memory the block declared
    unsigned long long shared_bytes;
};
static EmuFault g_fault;

// ------------------------------------------------------------------ the scheduler
namespace emu {

const size_t kStackBytes = 256 * 1024;  // per thread; a guard page sits below each stack
const unsigned kMaxThreads = 1024;     // CUDA's limit on threads per block
const size_t kMaxStaticShared = 48 * 1024;  // ptxas's limit on static __shared__ per block

struct Fiber {
    ucontext_t context;
    char* stack;  // kStackBytes usable bytes above a PROT_NONE page
    bool done;
};

static Fiber g_fibers[kMaxThreads];
static unsigned g_order[kMaxThreads];  // this phase's permutation of the threads
static ucontext_t g_scheduler;
static unsigned g_current;            // index of the running fiber
static void (*g_thunk)(void**);       // calls the kernel with its arguments
static void** g_args;
static long long g_barriers;          // __syncthreads() calls so far (for tests)
static unsigned long long g_block_serial;  // numbers every block run, across launches
static unsigned long long g_rng;      // xorshift state, seeded per launch

EMU_INLINE unsigned long long next_random() {
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return g_rng;
}

// ------------------------------------------------------------- the race detector
// One accessor: a thread of a block, in a barrier phase of that block. block = 0: nobody
// (so fresh, zero-filled shadow memory needs no initialisation).
struct Who {
    int block;  // 1 + linear block index within the launch
    int phase;  // barrier phase within that block
    int thread; // linear thread index within the block
};
// The accesses of one kind to one word that matter for later ones: the latest, and one more
// that no barrier orders with it (a second thread of the same phase, or another block). Any
// later accessor that is not ordered after both races with at least one of them.
struct Set {
    Who first, second;
};
struct Shadow {
    Set writes;  // since the last plain write
    Set reads;   // since the last write
    int atomic;  // every access in `writes` is atomic
};

struct Region {
    uintptr_t start, end;
    int id;        // argument index, or -1 - shared array index
    unsigned shift;  // log2 of the word size
    Shadow* shadow;
    size_t words;
};
static Region g_regions[64];
static unsigned g_region_count;
static int g_race_check = 1;
static Who g_now;  // the running thread

EMU_INLINE bool same_thread(const Who& a, const Who& b) {
    return a.block == b.block && a.thread == b.thread;
}
// a happened before b (or is b's own thread): same block, an earlier barrier phase.
EMU_INLINE bool ordered(const Who& a, const Who& b) {
    return a.block == 0 || same_thread(a, b) || (a.block == b.block && a.phase < b.phase);
}
EMU_INLINE bool set_ordered(const Set& s, const Who& b) {
    return ordered(s.first, b) && ordered(s.second, b);
}
// The member of s that b is not ordered after (to name in a report).
EMU_INLINE Who conflicting(const Set& s, const Who& b) {
    return ordered(s.first, b) ? s.second : s.first;
}
EMU_INLINE void set_add(Set& s, const Who& b) {
    if (set_ordered(s, b)) {
        s.first = b;
        s.second.block = 0;
    } else if (s.second.block == 0 && !same_thread(s.first, b)) {
        s.second = b;
    }
}

EMU_INLINE void unflatten_block(int linear, unsigned* out) {
    out[0] = linear % gridDim.x;
    out[1] = (linear / gridDim.x) % gridDim.y;
    out[2] = linear / (gridDim.x * gridDim.y);
}
EMU_INLINE void unflatten_thread(int linear, unsigned* out) {
    out[0] = linear % blockDim.x;
    out[1] = (linear / blockDim.x) % blockDim.y;
    out[2] = linear / (blockDim.x * blockDim.y);
}

static sigjmp_buf g_fault_jump;
static char g_signal_stack[64 * 1024];

EMU_RUNTIME void report_race(const Region& r, uintptr_t address, int access, const Who& other,
                             int other_access) {
    g_fault.kind = EMU_RACE;
    g_fault.region = r.id;
    g_fault.offset = address - r.start;
    g_fault.address = address;
    g_fault.access = access;
    g_fault.other_access = other_access;
    unflatten_block(g_now.block - 1, g_fault.block);
    unflatten_thread(g_now.thread, g_fault.thread);
    unflatten_block(other.block - 1, g_fault.other_block);
    unflatten_thread(other.thread, g_fault.other_thread);
    siglongjmp(g_fault_jump, 1);
}

EMU_INLINE void check_word(const Region& r, Shadow& w, uintptr_t address, int access) {
    const Who& me = g_now;
    if (access == EMU_READ) {
        if (!set_ordered(w.writes, me))
            report_race(r, address, access, conflicting(w.writes, me),
                        w.atomic ? EMU_ATOMIC : EMU_WRITE);
        set_add(w.reads, me);
        return;
    }
    if (!set_ordered(w.reads, me)) report_race(r, address, access, conflicting(w.reads, me),
                                               EMU_READ);
    bool both_atomic = access == EMU_ATOMIC && w.atomic;
    if (!both_atomic && !set_ordered(w.writes, me))
        report_race(r, address, access, conflicting(w.writes, me),
                    w.atomic ? EMU_ATOMIC : EMU_WRITE);
    if (both_atomic) {
        set_add(w.writes, me);
    } else {
        w.writes.first = me;
        w.writes.second.block = 0;
        w.atomic = access == EMU_ATOMIC;
    }
    w.reads.first.block = w.reads.second.block = 0;
}

EMU_INLINE void on_access(const void* pointer, size_t size, int access) {
    if (!g_race_check) return;
    uintptr_t a = (uintptr_t)pointer;
    for (unsigned k = 0; k < g_region_count; ++k) {
        Region& r = g_regions[k];
        if (a - r.start >= r.end - r.start) continue;
        size_t first = (a - r.start) >> r.shift;
        size_t last = (a + (size ? size : 1) - 1 - r.start) >> r.shift;
        for (size_t word = first; word <= last && word < r.words; ++word)
            check_word(r, r.shadow[word], r.start + (word << r.shift), access);
        return;
    }
}

EMU_RUNTIME Shadow* new_shadow(size_t words) {
    void* p = mmap(nullptr, words * sizeof(Shadow) + 1, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) std::abort();
    return static_cast<Shadow*>(p);  // zero pages: nobody has accessed anything
}

EMU_RUNTIME void free_shadow(Region& r) {
    if (r.shadow) munmap(r.shadow, r.words * sizeof(Shadow) + 1);
    r.shadow = nullptr;
}

// Registers [start, start + bytes) with word size 1 << shift; returns the region's slot.
EMU_RUNTIME unsigned add_region(const void* start, size_t bytes, int id, unsigned shift,
                                bool shadowed) {
    if (g_region_count == sizeof g_regions / sizeof g_regions[0]) std::abort();
    Region& r = g_regions[g_region_count];
    r.start = (uintptr_t)start;
    r.end = r.start + bytes;
    r.id = id;
    r.shift = shift;
    r.words = (bytes + (size_t(1) << shift) - 1) >> shift;
    r.shadow = shadowed ? new_shadow(r.words) : nullptr;
    return g_region_count++;
}

EMU_RUNTIME void clear_regions() {
    for (unsigned k = 0; k < g_region_count; ++k) free_shadow(g_regions[k]);
    g_region_count = 0;
}

// Shared arrays seen so far, the block that last poisoned each, and its race-detector region.
struct SharedArray {
    void* address;
    unsigned long long poisoned_in;
    unsigned region;
    const char* name;
};
static SharedArray g_shared[256];
static unsigned g_shared_count;
static size_t g_block_shared_bytes;  // static shared memory declared by the running block

}  // namespace emu

// ------------------------------------------------ the hooks -fsanitize=thread calls
extern "C" {
#define EMU_HOOK(kind, size, access)                                                        \
    EMU_RUNTIME void __tsan_##kind##size(void* p) { emu::on_access(p, size, access); }      \
    EMU_RUNTIME void __tsan_unaligned_##kind##size(void* p) { emu::on_access(p, size, access); }
EMU_HOOK(read, 1, EMU_READ)
EMU_HOOK(read, 2, EMU_READ)
EMU_HOOK(read, 4, EMU_READ)
EMU_HOOK(read, 8, EMU_READ)
EMU_HOOK(read, 16, EMU_READ)
EMU_HOOK(write, 1, EMU_WRITE)
EMU_HOOK(write, 2, EMU_WRITE)
EMU_HOOK(write, 4, EMU_WRITE)
EMU_HOOK(write, 8, EMU_WRITE)
EMU_HOOK(write, 16, EMU_WRITE)
#undef EMU_HOOK
EMU_RUNTIME void __tsan_read_range(void* p, unsigned long n) { emu::on_access(p, n, EMU_READ); }
EMU_RUNTIME void __tsan_write_range(void* p, unsigned long n) { emu::on_access(p, n, EMU_WRITE); }
EMU_RUNTIME void __tsan_init() {}
EMU_RUNTIME void __tsan_func_entry(void*) {}
EMU_RUNTIME void __tsan_func_exit(void*) {}
}

// ------------------------------------------------------------------------ atomics
// A fiber is only ever switched out at __syncthreads(), so each of these runs indivisibly;
// each is recorded as one atomic access (which never races with another atomic).
template <typename V, typename Op>
EMU_INLINE V atomic_update(V* address, Op new_value) {
    emu::on_access(address, sizeof(V), EMU_ATOMIC);
    V old = *address;
    *address = new_value(old);
    return old;
}
template <typename V>
EMU_INLINE V atomicAdd(V* address, V value) {
    return atomic_update(address, [=](V old) { return old + value; });
}
template <typename V>
EMU_INLINE V atomicMax(V* address, V value) {
    return atomic_update(address, [=](V old) { return old < value ? value : old; });
}
template <typename V>
EMU_INLINE V atomicMin(V* address, V value) {
    return atomic_update(address, [=](V old) { return value < old ? value : old; });
}
template <typename V>
EMU_INLINE V atomicExch(V* address, V value) {
    return atomic_update(address, [=](V) { return value; });
}
template <typename V>
EMU_INLINE V atomicCAS(V* address, V compare, V value) {
    return atomic_update(address, [=](V old) { return old == compare ? value : old; });
}

EMU_RUNTIME void __syncthreads() {
    emu::g_barriers++;
    swapcontext(&emu::g_fibers[emu::g_current].context, &emu::g_scheduler);
}

// Called (by code build.py inserts) right after every __shared__ declaration: the first thread
// of each block to get there fills the array with 0xFF bytes, gives it fresh shadow state and
// counts its bytes against the static shared-memory limit.
EMU_RUNTIME void emu_shared_memory(void* address, size_t bytes, const char* name) {
    using emu::g_shared;
    unsigned k = 0;
    while (k < emu::g_shared_count && g_shared[k].address != address) ++k;
    if (k == emu::g_shared_count) {
        if (k == sizeof g_shared / sizeof g_shared[0]) std::abort();  // absurdly many
        g_shared[k] = emu::SharedArray{address, 0, ~0u, name};
        ++emu::g_shared_count;
    }
    if (g_shared[k].poisoned_in != emu::g_block_serial) {
        std::memset(address, 0xFF, bytes);
        g_shared[k].poisoned_in = emu::g_block_serial;
        emu::g_block_shared_bytes += bytes;
        if (emu::g_block_shared_bytes > emu::kMaxStaticShared) {
            g_fault.kind = EMU_SHARED_LIMIT;
            g_fault.shared_bytes = emu::g_block_shared_bytes;
            siglongjmp(emu::g_fault_jump, 1);
        }
        unsigned& region = g_shared[k].region;
        if (region < emu::g_region_count && emu::g_regions[region].start == (uintptr_t)address) {
            emu::Region& r = emu::g_regions[region];  // a new block: forget the old accesses
            if (r.shadow) std::memset(r.shadow, 0, r.words * sizeof(emu::Shadow));
        } else {
            region = emu::add_region(address, bytes, -1 - (int)k, 2, emu::g_race_check);
        }
    }
}

namespace emu {

EMU_RUNTIME void fiber_main() {
    g_thunk(g_args);
    g_fibers[g_current].done = true;
    // returning resumes uc_link, the scheduler
}

EMU_RUNTIME void on_fault(int signal, siginfo_t* info, void* context) {
    g_fault.kind = EMU_SIGNAL;
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

EMU_RUNTIME bool ensure_stacks(unsigned count) {
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

// Runs one block: phases of "resume every live thread once, in a random order" until all have
// returned.
EMU_RUNTIME void run_block(unsigned threads, int linear_block) {
    for (unsigned t = 0; t < threads; ++t) {
        Fiber& f = g_fibers[t];
        getcontext(&f.context);
        f.context.uc_stack.ss_sp = f.stack;
        f.context.uc_stack.ss_size = kStackBytes;
        f.context.uc_link = &g_scheduler;
        makecontext(&f.context, fiber_main, 0);
        f.done = false;
        g_order[t] = t;
    }
    g_block_shared_bytes = 0;
    unsigned live = threads;
    for (int phase = 0; live > 0; ++phase) {
        for (unsigned k = threads - 1; k > 0; --k) {  // Fisher–Yates
            unsigned j = (unsigned)(next_random() % (k + 1));
            unsigned swap = g_order[k];
            g_order[k] = g_order[j];
            g_order[j] = swap;
        }
        for (unsigned k = 0; k < threads; ++k) {
            unsigned t = g_order[k];
            if (g_fibers[t].done) continue;
            g_current = t;
            g_now = Who{linear_block + 1, phase, (int)t};
            threadIdx.x = t % blockDim.x;
            threadIdx.y = (t / blockDim.x) % blockDim.y;
            threadIdx.z = t / (blockDim.x * blockDim.y);
            swapcontext(&g_scheduler, &g_fibers[t].context);
            if (g_fibers[t].done) --live;
        }
    }
}

EMU_RUNTIME unsigned long long gcd(unsigned long long a, unsigned long long b) {
    while (b) {
        unsigned long long r = a % b;
        a = b;
        b = r;
    }
    return a;
}

}  // namespace emu

// ------------------------------------------------------------- the exported C API
extern "C" {

// Registers array argument `index` ([data, data + nbytes), elements of `itemsize` bytes) with
// the race detector for the next launch.
EMU_RUNTIME void emu_track(void* data, size_t nbytes, int index, unsigned itemsize) {
    emu::add_region(data, nbytes, index, itemsize >= 8 ? 3 : 2, true);
}

// Launches thunk(args) on a grid × block of emulated threads, blocks in an order and threads
// in interleavings drawn from `seed`. `race_check` turns the race detector on. Returns 0, or
// -1 when the geometry is invalid (the launcher checks it first), or 1 after a fault
// (described in *fault). Forgets the regions emu_track registered.
EMU_RUNTIME int emu_launch(void (*thunk)(void**), void** args, unsigned gx, unsigned gy,
                           unsigned gz, unsigned bx, unsigned by, unsigned bz,
                           unsigned long long seed, int race_check, EmuFault* fault) {
    unsigned long long threads = (unsigned long long)bx * by * bz;
    std::memset(fault, 0, sizeof *fault);
    if (threads == 0 || threads > emu::kMaxThreads || gx == 0 || gy == 0 || gz == 0 ||
        !emu::ensure_stacks((unsigned)threads)) {
        emu::clear_regions();
        return -1;
    }
    emu::g_thunk = thunk;
    emu::g_args = args;
    emu::g_race_check = race_check;
    emu::g_rng = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    if (emu::g_rng == 0) emu::g_rng = 1;
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
        // Block k of the launch runs the block numbered (a·k + c) mod n: a bijection when
        // gcd(a, n) = 1, so every block runs once, in an order drawn from the seed.
        unsigned long long n = (unsigned long long)gx * gy * gz;
        unsigned long long a = emu::next_random() % n + 1, c = emu::next_random() % n;
        while (emu::gcd(a, n) != 1) a = a % n + 1;
        for (unsigned long long k = 0; k < n; ++k) {
            unsigned long long linear =
                (unsigned long long)(((unsigned __int128)a * k + c) % n);
            blockIdx = uint3{(unsigned)(linear % gx), (unsigned)(linear / gx % gy),
                             (unsigned)(linear / ((unsigned long long)gx * gy))};
            ++emu::g_block_serial;
            emu::run_block((unsigned)threads, (int)linear);
        }
    } else {
        *fault = g_fault;
        status = 1;
    }

    sigaction(SIGSEGV, &old_segv, nullptr);
    sigaction(SIGBUS, &old_bus, nullptr);
    sigaction(SIGFPE, &old_fpe, nullptr);
    sigaltstack(&old_alt, nullptr);
    emu::clear_regions();
    return status;
}

// The name of shared array k (a race report's region -1 - k).
EMU_RUNTIME const char* emu_shared_name(unsigned k) {
    return k < emu::g_shared_count ? emu::g_shared[k].name : "?";
}

EMU_RUNTIME long long emu_barrier_count() { return emu::g_barriers; }

EMU_RUNTIME long emu_page_size() { return sysconf(_SC_PAGESIZE); }

// Guarded buffers for kernel arguments. Layout (P = page size, D = data pages):
//
//   [ guard page | canary ... data (nbytes) | guard page ]
//   base          base + P     end - nbytes  end = base + P + D·P
//
// The data ends exactly at the second guard page, so any access past the end faults; the
// first guard page catches accesses far before the start, the canary writes just before it.
static const unsigned char kCanary = 0xA5;

EMU_RUNTIME static size_t data_pages(size_t nbytes) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (nbytes + page - 1) / page;
}

EMU_RUNTIME void* emu_alloc(size_t nbytes) {
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

EMU_RUNTIME static char* base_of(void* data, size_t nbytes) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return static_cast<char*>(data) + nbytes - (data_pages(nbytes) + 1) * page;
}

// Makes the data pages read-only (for `const` arguments), after the launcher filled them.
EMU_RUNTIME int emu_make_readonly(void* data, size_t nbytes) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE), pages = data_pages(nbytes);
    if (pages == 0) return 0;
    return mprotect(base_of(data, nbytes) + page, pages * page, PROT_READ);
}

// How many bytes before the data were overwritten (0: the canary is intact).
EMU_RUNTIME long emu_canary_damage(void* data, size_t nbytes) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    unsigned char* start = reinterpret_cast<unsigned char*>(base_of(data, nbytes) + page);
    unsigned char* end = static_cast<unsigned char*>(data);
    for (unsigned char* p = start; p < end; ++p)
        if (*p != kCanary) return (long)(end - p);
    return 0;
}

EMU_RUNTIME void emu_free(void* data, size_t nbytes) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    munmap(base_of(data, nbytes), (data_pages(nbytes) + 2) * page);
}

}  // extern "C"

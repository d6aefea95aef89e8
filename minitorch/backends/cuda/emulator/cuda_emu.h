// cuda_emu.h — CUDA's execution model, made stricter than a GPU, to run our .cu kernels on a
// CPU with g++.
//
// A kernel source is compiled as ordinary C++ after this header, with g++'s
// -fsanitize=thread *instrumentation* but without its runtime: every load and store the kernel
// makes calls __tsan_readN / __tsan_writeN, and this header defines those hooks itself (the
// race detector below). What the header provides:
//
//  * The keywords: __global__, __device__, __forceinline__ vanish. The build step (build.py)
//    rewrites each `__shared__ T name[dims];` into a static array with one copy per resident
//    block slot, `static T name__emu_slots[EMU_SLOTS][dims]`, a reference
//    `auto& name = name__emu_slots[emu::g_slot]` to the running block's copy, and a call to
//    emu_shared_memory(), which, the first time a thread of a new block reaches it, fills
//    that copy with 0xFF bytes (NaN as float or double, -1 as an integer), registers it with
//    the race detector, and adds its size to the block's static shared memory, which may not
//    exceed 48 KB (ptxas refuses more for a static array).
//  * threadIdx, blockIdx, blockDim, gridDim: globals that the scheduler sets before it
//    resumes a thread.
//  * Threads as fibers. Every thread is a fiber with its own stack (a hand-written context
//    switch on x86-64: six registers and the stack pointer; ucontext elsewhere).
//  * The scheduling model — seeded, and stricter than a GPU:
//      - Co-resident blocks. Up to `resident` blocks (default 4, at most 2048 threads in all,
//        like one SM) run at once; when one finishes, the next block of the grid's order
//        (a seeded random permutation) takes its slot.
//      - Preemption inside a barrier phase. Every access a thread makes to global memory (an
//        array argument) or shared memory, every atomic, __threadfence() and __syncthreads()
//        is a *preemption point*. At a preemption point the running thread is switched out
//        when a countdown, drawn uniformly from [1, 2·switch_every - 1] (mean switch_every),
//        runs out; the scheduler then resumes a thread drawn at random from every ready
//        thread of every resident block. switch_every = 1 switches at every access (the deep
//        mode of the planted-bug tests and `make cuda-schedules`); the default (32, set by
//        launcher.py) costs less and still splits phases at random points. So two threads' read-modify-writes interleave, a
//        read can come before another thread's write in the same phase, and threads of
//        different blocks run side by side.
//      - Barriers. __syncthreads() parks the thread until every live thread of its block has
//        arrived (or returned), then releases them all into the ready pool: a real barrier.
//      - Yielding spin-waits and a step budget. A thread spinning on a flag yields at each
//        read of it, so the writer gets to run. If `stall_budget` (2^24 by default) preemption
//        points pass with no thread writing memory (a plain store, or an atomic that changes
//        the value), passing a barrier or returning, the launch stops: "did not finish
//        (deadlock?)" — as when a block spins on a flag that a block which is not resident
//        will set (a GPU gives no such guarantee either). A watchdog (a CPU-time timer on the
//        launching thread) stops a thread that makes no access at all for 1 s of CPU time — a
//        spin the compiler turned into `for (;;)`.
//      - Everything is drawn from the launch's seed (block order, countdowns, the next
//        thread), so a launch is reproducible; other seeds try other interleavings. A GPU
//        promises no order at all; a kernel that gives the right answer only in some order
//        is wrong, and different seeds show it.
//  * A race detector, so that order independence is proven for the schedule that ran, not
//    hoped for. Every 4- or 8-byte word of every array argument and every shared array has
//    shadow state: who last wrote it and who read it since (block, thread, barrier phase,
//    atomic or not). Two accesses to a word *race* when they come from different threads, at
//    least one writes, they are not both atomic, and nothing orders them: a barrier orders a
//    block's earlier phases before its later ones, and a release/acquire handoff through an
//    atomic orders one block's earlier phases before another's later ones (below). The first
//    race stops the launch and is reported with the kernel, the argument (or shared array)
//    and element, and both threads.
//  * Release/acquire between blocks, as CUDA's memory model allows it and no more loosely:
//    a thread of block B in barrier phase p that calls __threadfence() and then, still in
//    phase p, an atomic on word X *releases* B's accesses of phases < p (only those: its
//    own accesses of phase p are not covered, so the stores to hand on must come before a
//    __syncthreads()). A thread of block A whose atomic on X comes after that release, and
//    which then calls __threadfence() in the same phase, *acquires* it; A's accesses from
//    its next barrier phase on are ordered after B's released ones. Not modelled (so
//    reported as races): handoffs without both fences, an acquire that no barrier hands on,
//    chains of handoffs (A does not pass on to others what it acquired), plain stores as
//    flags.
//  * Atomics (atomicAdd, atomicMax, atomicMin, atomicExch, atomicCAS): real read-modify-write
//    semantics (a fiber may be switched out before one, never inside it) and recorded as
//    atomic accesses.
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
#include <ctime>
#include <numeric>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

// The emulator's own code must not be instrumented: only the kernels' accesses are checked.
#define EMU_RUNTIME __attribute__((no_sanitize_thread, noinline))
#define EMU_INLINE __attribute__((no_sanitize_thread)) inline

// ------------------------------------------------------------------------- keywords
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static  // build.py rewrites each declaration (one copy per slot)
#define EMU_SLOTS 8  // co-resident blocks at most: copies of each __shared__ array
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
enum EmuFaultKind {
    EMU_OK = 0, EMU_SIGNAL = 1, EMU_RACE = 2, EMU_SHARED_LIMIT = 3, EMU_DEADLOCK = 4
};
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
    // EMU_DEADLOCK: preemption points since the last progress (0: the watchdog fired — the
    // thread in block/thread made no memory access at all for kWatchdogSeconds of CPU time),
    // and how many threads were waiting at a barrier
    unsigned long long steps;
    unsigned long long waiting;
};
static EmuFault g_fault;

// ------------------------------------------------------------------ context switching
namespace emu {

#if defined(__x86_64__)
// A fiber's saved state is its stack pointer; the callee-saved registers, MXCSR and the x87
// control word are on its stack (System V ABI: everything else is caller-saved).
struct Context {
    void* sp;
};
extern "C" __attribute__((visibility("hidden"))) void emu_switch_context(void** save,
                                                                         void* load);
asm(R"(
    .text
    .p2align 4
    .globl emu_switch_context
    .hidden emu_switch_context
    .type emu_switch_context, @function
emu_switch_context:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size emu_switch_context, .-emu_switch_context
)");
EMU_INLINE void switch_context(Context& from, Context& to) {
    emu_switch_context(&from.sp, to.sp);
}
// A fresh context that starts entry() (which must never return) on [stack, stack + bytes).
EMU_RUNTIME void init_context(Context& c, char* stack, size_t bytes, void (*entry)()) {
    void** sp = reinterpret_cast<void**>(stack + bytes);  // 16-byte aligned (page aligned)
    *--sp = nullptr;                                      // entry's "return address"
    *--sp = reinterpret_cast<void*>(entry);               // where the first switch returns
    for (int k = 0; k < 6; ++k) *--sp = nullptr;          // rbp, rbx, r12-r15
    unsigned control[2];
    asm volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(control[0]), "=m"(control[1]));
    control[1] &= 0xFFFF;
    std::memcpy(--sp, control, sizeof control);
    c.sp = sp;
}
#else
struct Context {
    ucontext_t uc;
};
EMU_INLINE void switch_context(Context& from, Context& to) { swapcontext(&from.uc, &to.uc); }
EMU_RUNTIME void init_context(Context& c, char* stack, size_t bytes, void (*entry)()) {
    getcontext(&c.uc);
    c.uc.uc_stack.ss_sp = stack;
    c.uc.uc_stack.ss_size = bytes;
    c.uc.uc_link = nullptr;
    makecontext(&c.uc, entry, 0);
}
#endif

// ------------------------------------------------------------------ the scheduler
const size_t kStackBytes = 256 * 1024;  // per thread; a guard page sits below each stack
const unsigned kMaxThreads = 1024;     // CUDA's limit on threads per block
const unsigned kMaxResidentThreads = 2048;  // threads of co-resident blocks (one SM's limit)
const unsigned kSlots = EMU_SLOTS;     // co-resident blocks at most
const size_t kMaxStaticShared = 48 * 1024;  // ptxas's limit on static __shared__ per block
const int kWatchdogSeconds = 1;

enum FiberState { READY, AT_BARRIER, DONE };
// What a fiber tells the scheduler when it switches back to it.
enum Event { PREEMPTED, ARRIVED, RETURNED };

struct Fiber {
    Context context;
    char* stack;  // kStackBytes usable bytes above a PROT_NONE page
    int state;    // FiberState
    unsigned slot, thread;
    // release/acquire (see "Release/acquire between blocks"): the phase of the thread's last
    // __threadfence(), and the atomic it made last — its word, its phase and how many
    // releases that word had then (what a fence after it acquires)
    int fence_phase;
    const void* atomic_word;
    int atomic_phase;
    size_t atomic_releases;
};
// One co-resident block.
// Block `block` (1 + linear index) released its accesses of phases < `phase`.
struct Release {
    int block, phase;
};
struct Slot {
    bool busy;
    int linear;                  // the block's linear index within the grid
    uint3 index;                 // its blockIdx
    int phase;                   // barrier phase
    unsigned arrived, done;      // threads waiting at the barrier, threads returned
    unsigned long long serial;   // numbers every block run, across launches
    size_t shared_bytes;         // static shared memory the block declared so far
    std::vector<Release> acquired;  // by its threads in this phase: ordered from the next on
};

static Fiber g_fibers[kMaxResidentThreads];
static unsigned g_ready[kMaxResidentThreads];  // fibers that may run, in no particular order
static unsigned g_ready_count;
static Slot g_slots[kSlots];
static unsigned g_slot_count;         // slots in use by this launch
static unsigned g_threads;            // threads per block
static Context g_scheduler;
static unsigned g_current;            // index of the running fiber
static int g_event;                   // Event, set by the fiber before it switches back
static unsigned g_slot;               // slot of the running fiber (picks its shared arrays)
static void (*g_thunk)(void**);       // calls the kernel with its arguments
static void** g_args;
static long long g_barriers;          // __syncthreads() calls so far (for tests)
static unsigned long long g_block_serial;  // numbers every block run, across launches
static unsigned long long g_rng;      // xorshift state, seeded per launch
static unsigned g_switch_every;       // mean preemption points between switches
static unsigned g_countdown;          // preemption points left before the next switch
static unsigned long long g_points;   // preemption points so far (the watchdog reads it)
static unsigned long long g_stalled;  // preemption points since the last progress
static unsigned long long g_stall_budget;

// xorshift64*: the state steps by xorshift, the output is multiplied so that its low bits
// (what `% n` uses) are as random as the high ones.
EMU_INLINE unsigned long long next_random() {
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return g_rng * 0x2545F4914F6CDD1Dull;
}

// The first state for a launch seed: splitmix64's mixer, so that seeds differing in any bits
// (the launcher puts the user's seed in the high half) start far apart.
EMU_INLINE void seed_random(unsigned long long seed) {
    unsigned long long z = seed + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    g_rng = z ? z : 1;
}

EMU_INLINE void draw_countdown() {
    g_countdown = g_switch_every <= 1
        ? 1 : 1 + (unsigned)(next_random() % (2ull * g_switch_every - 1));
}

// Something happened that a spin-waiting thread could be waiting for.
EMU_INLINE void progress() { g_stalled = 0; }

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

EMU_RUNTIME void report_deadlock(unsigned long long steps) {
    g_fault.kind = EMU_DEADLOCK;
    g_fault.steps = steps;
    const Fiber& f = g_fibers[g_current];
    unflatten_block(g_slots[f.slot].linear, g_fault.block);
    unflatten_thread((int)f.thread, g_fault.thread);
    unsigned long long waiting = 0;
    for (unsigned s = 0; s < g_slot_count; ++s) waiting += g_slots[s].arrived;
    g_fault.waiting = waiting;
    siglongjmp(g_fault_jump, 1);
}

// Called by a fiber: give the CPU back to the scheduler, saying why.
EMU_INLINE void switch_out(int event) {
    g_event = event;
    switch_context(g_fibers[g_current].context, g_scheduler);
}

// Every access to global or shared memory, every atomic, fence and barrier passes here.
EMU_INLINE void preemption_point() {
    ++g_points;
    if (++g_stalled > g_stall_budget) report_deadlock(g_stalled - 1);
    if (--g_countdown == 0) {
        draw_countdown();
        switch_out(PREEMPTED);
    }
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

// Global and shared memory the kernel may touch: accesses elsewhere (the fibers' stacks) are
// neither preemption points nor checked.
struct Region {
    uintptr_t start, end;
    int id;        // argument index, or -1 - shared array index
    unsigned shift;  // log2 of the word size
    Shadow* shadow;  // null when the race detector is off
    size_t words;
};
static Region g_regions[256];
static unsigned g_region_count;
static unsigned g_last_region;  // where the last hit was: consecutive accesses mostly agree
static int g_race_check = 1;
static Who g_now;  // the running thread

EMU_INLINE bool same_thread(const Who& a, const Who& b) {
    return a.block == b.block && a.thread == b.thread;
}
// The releases each atomic word has seen in this launch, in the order of its atomics.
static std::unordered_map<const void*, std::vector<Release>> g_releases;
// g_known[b - 1][a - 1] = p: block a's accesses of phases < p happen before block b's current
// phase (its acquisitions, from the barrier after each on). Empty until a block acquires.
static std::vector<std::vector<int>> g_known;
static unsigned long long g_blocks;  // blocks in the launch

EMU_INLINE bool acquired_before(const Who& a, const Who& b) {
    if (g_known.empty()) return false;
    const std::vector<int>& known = g_known[b.block - 1];
    return !known.empty() && a.phase < known[a.block - 1];
}

// a happened before b (or is b's own thread): same block, an earlier barrier phase, or an
// earlier phase of a block whose release b's block has acquired.
EMU_INLINE bool ordered(const Who& a, const Who& b) {
    return a.block == 0 || same_thread(a, b) || (a.block == b.block && a.phase < b.phase)
           || (a.block != b.block && acquired_before(a, b));
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

EMU_INLINE Region* find_region(uintptr_t a) {
    Region* r = &g_regions[g_last_region];
    if (g_last_region < g_region_count && a - r->start < r->end - r->start) return r;
    for (unsigned k = 0; k < g_region_count; ++k) {
        r = &g_regions[k];
        if (a - r->start < r->end - r->start) {
            g_last_region = k;
            return r;
        }
    }
    return nullptr;
}

// An access by the running thread, about to happen: maybe switch to another thread first
// (so the access happens at a random point of the interleaving), then check it for races.
EMU_INLINE void on_access(const void* pointer, size_t size, int access) {
    uintptr_t a = (uintptr_t)pointer;
    if (!find_region(a)) return;
    preemption_point();
    if (access == EMU_WRITE) progress();
    Region* r = find_region(a);  // again: regions may have been added meanwhile
    if (!r->shadow) return;
    size_t first = (a - r->start) >> r->shift;
    size_t last = (a + (size ? size : 1) - 1 - r->start) >> r->shift;
    for (size_t word = first; word <= last && word < r->words; ++word)
        check_word(*r, r->shadow[word], r->start + (word << r->shift), access);
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
    g_last_region = 0;
}

// Shared arrays (one entry per copy: array × slot) seen so far, the block that last poisoned
// each, and its race-detector region.
struct SharedArray {
    void* address;
    unsigned long long poisoned_in;
    unsigned region;
    const char* name;
};
static SharedArray g_shared[1024];
static unsigned g_shared_count;

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
// The running thread may be switched out before an atomic (a preemption point), never inside
// it, so each of these runs indivisibly; each is recorded as one atomic access (which never
// races with another atomic). One that changes the value is progress for the step budget.
namespace emu {
// An atomic by the running thread on `word` (see "Release/acquire between blocks"): note what
// a fence after it would acquire, then release if a fence came before it in this phase.
EMU_RUNTIME void release_acquire_atomic(const void* word) {
    if (!g_race_check) return;
    Fiber& f = g_fibers[g_current];
    const Slot& slot = g_slots[f.slot];
    std::vector<Release>& releases = g_releases[word];
    f.atomic_word = word;
    f.atomic_phase = slot.phase;
    f.atomic_releases = releases.size();
    if (f.fence_phase == slot.phase && slot.phase > 0)
        releases.push_back(Release{slot.linear + 1, slot.phase});
}
// A __threadfence() by the running thread: acquires what its last atomic, in this phase, saw.
EMU_RUNTIME void release_acquire_fence() {
    Fiber& f = g_fibers[g_current];
    Slot& slot = g_slots[f.slot];
    f.fence_phase = slot.phase;
    if (!g_race_check || f.atomic_word == nullptr || f.atomic_phase != slot.phase) return;
    const std::vector<Release>& releases = g_releases[f.atomic_word];
    slot.acquired.insert(slot.acquired.end(), releases.begin(),
                         releases.begin() + (long)f.atomic_releases);
    f.atomic_word = nullptr;
}
}  // namespace emu

template <typename V, typename Op>
EMU_INLINE V atomic_update(V* address, Op new_value) {
    emu::on_access(address, sizeof(V), EMU_ATOMIC);
    emu::release_acquire_atomic(address);
    V old = *address;
    V value = new_value(old);
    if (std::memcmp(&old, &value, sizeof(V)) != 0) emu::progress();
    *address = value;
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

// Memory is sequentially consistent in the emulator, so a fence orders nothing more; it is a
// preemption point, and the race detector takes it as half of a release or an acquire (see
// "Release/acquire between blocks").
EMU_RUNTIME void __threadfence() {
    emu::preemption_point();
    emu::release_acquire_fence();
}

// A load through L2 only (no L1 line, which another block's store does not update): what a
// block reads after an acquire. The emulator has no caches: a plain (race-checked) load.
template <typename T>
inline T __ldcg(const T* p) { return *p; }
EMU_RUNTIME void __threadfence_block() { emu::preemption_point(); }

EMU_RUNTIME void __syncthreads() {
    emu::g_barriers++;
    emu::preemption_point();
    emu::switch_out(emu::ARRIVED);
}

// Called (by code build.py inserts) right after every __shared__ declaration, with the running
// block's copy: the first thread of each block to get there fills it with 0xFF bytes, gives
// it fresh shadow state and counts its bytes against the static shared-memory limit.
EMU_RUNTIME void emu_shared_memory(void* address, size_t bytes, const char* name) {
    using emu::g_shared;
    unsigned k = 0;
    while (k < emu::g_shared_count && g_shared[k].address != address) ++k;
    if (k == emu::g_shared_count) {
        if (k == sizeof g_shared / sizeof g_shared[0]) std::abort();  // absurdly many
        g_shared[k] = emu::SharedArray{address, 0, ~0u, name};
        ++emu::g_shared_count;
    }
    emu::Slot& slot = emu::g_slots[emu::g_slot];
    if (g_shared[k].poisoned_in != slot.serial) {
        std::memset(address, 0xFF, bytes);
        g_shared[k].poisoned_in = slot.serial;
        slot.shared_bytes += bytes;
        if (slot.shared_bytes > emu::kMaxStaticShared) {
            g_fault.kind = EMU_SHARED_LIMIT;
            g_fault.shared_bytes = slot.shared_bytes;
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

EMU_RUNTIME void fiber_entry() {
    g_thunk(g_args);
    progress();
    switch_out(RETURNED);
    std::abort();  // a returned fiber is never resumed
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

// The watchdog: a CPU-time timer of the launching thread. A tick with no preemption point
// since the last one means the running fiber spins without touching memory.
static unsigned long long g_points_at_tick;
static volatile sig_atomic_t g_running;  // between the launch's sigsetjmp and its end
EMU_RUNTIME void on_watchdog(int, siginfo_t*, void*) {
    if (!g_running) return;  // a tick that arrives as the launch ends
    if (g_points != g_points_at_tick) {
        g_points_at_tick = g_points;
        return;
    }
    report_deadlock(0);
}

EMU_RUNTIME bool ensure_stacks(unsigned count) {
    long page = sysconf(_SC_PAGESIZE);
    for (unsigned t = 0; t < count; ++t) {
        if (g_fibers[t].stack) continue;
        char* base = static_cast<char*>(mmap(nullptr, kStackBytes + page, PROT_READ | PROT_WRITE,
                                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                                             -1, 0));
        if (base == MAP_FAILED) return false;
        mprotect(base, page, PROT_NONE);  // a stack overflow faults instead of corrupting
        g_fibers[t].stack = base + page;
    }
    return true;
}

// Block `linear` of the grid moves into slot s: fresh fibers for its threads, all ready.
EMU_RUNTIME void admit(unsigned s, unsigned long long linear) {
    Slot& slot = g_slots[s];
    slot.busy = true;
    slot.linear = (int)linear;
    slot.index = uint3{(unsigned)(linear % gridDim.x), (unsigned)(linear / gridDim.x % gridDim.y),
                       (unsigned)(linear / ((unsigned long long)gridDim.x * gridDim.y))};
    slot.phase = 0;
    slot.arrived = slot.done = 0;
    slot.serial = ++g_block_serial;
    slot.shared_bytes = 0;
    slot.acquired.clear();
    for (unsigned t = 0; t < g_threads; ++t) {
        unsigned id = s * g_threads + t;
        Fiber& f = g_fibers[id];
        init_context(f.context, f.stack, kStackBytes, fiber_entry);
        f.state = READY;
        f.slot = s;
        f.thread = t;
        f.fence_phase = -1;
        f.atomic_word = nullptr;
        g_ready[g_ready_count++] = id;
    }
}

// Every live thread of slot s has arrived at the barrier: release them into the next phase.
EMU_RUNTIME void release_barrier(unsigned s) {
    Slot& slot = g_slots[s];
    for (unsigned t = 0; t < g_threads; ++t) {
        Fiber& f = g_fibers[s * g_threads + t];
        if (f.state != AT_BARRIER) continue;
        f.state = READY;
        g_ready[g_ready_count++] = s * g_threads + t;
    }
    slot.arrived = 0;
    ++slot.phase;
    if (!slot.acquired.empty()) {  // the acquisitions of the phase that ended hold from now on
        if (g_known.empty()) g_known.resize(g_blocks);
        std::vector<int>& known = g_known[slot.linear];
        if (known.empty()) known.assign(g_blocks, 0);
        for (const Release& r : slot.acquired)
            if (known[r.block - 1] < r.phase) known[r.block - 1] = r.phase;
        slot.acquired.clear();
    }
    progress();
}

// Runs the grid: blocks in the order (a·k + c) mod n (a bijection when gcd(a, n) = 1, drawn
// from the seed), `resident` of them at a time, their threads interleaved at random
// preemption points.
EMU_RUNTIME void run_grid(unsigned resident) {
    unsigned long long n = (unsigned long long)gridDim.x * gridDim.y * gridDim.z;
    unsigned long long a = next_random() % n + 1, c = next_random() % n, next = 0;
    while (std::gcd(a, n) != 1) a = a % n + 1;
    auto block_at = [&](unsigned long long k) {
        return (unsigned long long)(((unsigned __int128)a * k + c) % n);
    };
    g_ready_count = 0;
    g_slot_count = resident;
    for (unsigned s = 0; s < resident; ++s) {
        g_slots[s].busy = false;
        if (next < n) admit(s, block_at(next++));
    }
    while (g_ready_count > 0) {
        unsigned k = (unsigned)(next_random() % g_ready_count);
        unsigned id = g_ready[k];
        g_ready[k] = g_ready[--g_ready_count];
        Fiber& f = g_fibers[id];
        Slot& slot = g_slots[f.slot];
        ++g_points;  // the watchdog's sign of life: a thread came back to the scheduler
        g_current = id;
        g_slot = f.slot;
        g_now = Who{slot.linear + 1, slot.phase, (int)f.thread};
        blockIdx = slot.index;
        threadIdx.x = f.thread % blockDim.x;
        threadIdx.y = (f.thread / blockDim.x) % blockDim.y;
        threadIdx.z = f.thread / (blockDim.x * blockDim.y);
        switch_context(g_scheduler, f.context);
        if (g_event == PREEMPTED) {
            g_ready[g_ready_count++] = id;
            continue;
        }
        if (g_event == ARRIVED) {
            f.state = AT_BARRIER;
            ++slot.arrived;
        } else {
            f.state = DONE;
            ++slot.done;
        }
        if (slot.done == g_threads) {  // the block is over: the next one takes its slot
            slot.busy = false;
            if (next < n) admit(f.slot, block_at(next++));
        } else if (slot.arrived > 0 && slot.arrived + slot.done == g_threads) {
            release_barrier(f.slot);
        }
    }
}

}  // namespace emu

// ------------------------------------------------------------- the exported C API
extern "C" {

// Registers array argument `index` ([data, data + nbytes), elements of `itemsize` bytes) for
// the next launch: its accesses are preemption points and, with `shadowed`, race-checked.
EMU_RUNTIME void emu_track(void* data, size_t nbytes, int index, unsigned itemsize,
                           int shadowed) {
    emu::add_region(data, nbytes, index, itemsize >= 8 ? 3 : 2, shadowed != 0);
}

// Launches thunk(args) on a grid × block of emulated threads, blocks in an order and threads
// in interleavings drawn from `seed` (see "The scheduling model" above): up to `resident`
// blocks at once, a switch on average every `switch_every` preemption points, and a
// deadlock reported after `stall_budget` points without progress. `race_check` turns the
// race detector on. Returns 0, or -1 when the geometry is invalid (the launcher checks it
// first), or 1 after a fault (described in *fault). Forgets the regions emu_track registered.
EMU_RUNTIME int emu_launch(void (*thunk)(void**), void** args, unsigned gx, unsigned gy,
                           unsigned gz, unsigned bx, unsigned by, unsigned bz,
                           unsigned long long seed, int race_check, unsigned switch_every,
                           unsigned resident, unsigned long long stall_budget,
                           EmuFault* fault) {
    unsigned long long threads = (unsigned long long)bx * by * bz;
    std::memset(fault, 0, sizeof *fault);
    if (threads == 0 || threads > emu::kMaxThreads || gx == 0 || gy == 0 || gz == 0) {
        emu::clear_regions();
        return -1;
    }
    unsigned long long blocks = (unsigned long long)gx * gy * gz;
    unsigned long long slots = emu::kMaxResidentThreads / threads;
    if (resident < slots) slots = resident ? resident : 1;
    if (slots > emu::kSlots) slots = emu::kSlots;
    if (slots > blocks) slots = blocks;
    if (!emu::ensure_stacks((unsigned)(slots * threads))) {
        emu::clear_regions();
        return -1;
    }
    emu::g_thunk = thunk;
    emu::g_args = args;
    emu::g_race_check = race_check;
    emu::g_threads = (unsigned)threads;
    emu::g_switch_every = switch_every ? switch_every : 1;
    emu::g_stall_budget = stall_budget ? stall_budget : ~0ull;
    emu::g_stalled = 0;
    emu::g_releases.clear();
    emu::g_known.clear();
    emu::g_blocks = blocks;
    emu::seed_random(seed);
    emu::draw_countdown();
    gridDim = dim3{gx, gy, gz};
    blockDim = dim3{bx, by, bz};

    // Catch stray accesses and threads that hang for the duration of the launch, then put
    // Python's handlers back.
    stack_t alt = {}, old_alt = {};
    alt.ss_sp = emu::g_signal_stack;
    alt.ss_size = sizeof emu::g_signal_stack;
    sigaltstack(&alt, &old_alt);
    struct sigaction action = {}, watchdog = {}, old_segv = {}, old_bus = {}, old_fpe = {},
                     old_alarm = {};
    action.sa_sigaction = emu::on_fault;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &old_segv);
    sigaction(SIGBUS, &action, &old_bus);
    sigaction(SIGFPE, &action, &old_fpe);
    watchdog = action;
    watchdog.sa_sigaction = emu::on_watchdog;
    sigaction(SIGVTALRM, &watchdog, &old_alarm);
    timer_t timer;
    struct sigevent event = {};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = SIGVTALRM;
    event._sigev_un._tid = (pid_t)syscall(SYS_gettid);
    bool timed = timer_create(CLOCK_THREAD_CPUTIME_ID, &event, &timer) == 0;
    emu::g_points_at_tick = emu::g_points;
    if (timed) {
        struct itimerspec period = {{emu::kWatchdogSeconds, 0}, {emu::kWatchdogSeconds, 0}};
        timer_settime(timer, 0, &period, nullptr);
    }

    int status = 0;
    g_fault = EmuFault{};
    if (sigsetjmp(emu::g_fault_jump, 1) == 0) {
        emu::g_running = 1;
        emu::run_grid((unsigned)slots);
        emu::g_running = 0;
    } else {
        emu::g_running = 0;
        *fault = g_fault;
        status = 1;
    }

    if (timed) timer_delete(timer);
    sigaction(SIGVTALRM, &old_alarm, nullptr);
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

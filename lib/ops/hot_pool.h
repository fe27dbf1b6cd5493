// A small pool of helper threads that stay awake between calls, on which all of lib's ops run
// their parallel parts (native.h's Parallel, and LlmGemv and LlmCachedAttention directly).
//
// Why: a decoding step of GPT-2 124M makes 49 one-row products of 0.1-6 ms each, with 10-100 us
// of JavaScript and small ops between them. TensorFlow's intra-op threads fall asleep in those
// gaps, and waking one on these virtual machines took about 60-70 us per product (a 768 x 768
// product ran 155 us inside the kernel on 2 threads, where streaming its 2.4 MB at the memory's
// 28 GB/s takes 84 us). PyTorch's OpenMP threads spin between parallel regions for the same
// reason. Here a helper spins for up to kSpin after its last task (yielding the core to any other
// runnable thread each round), then sleeps until the next task; the calling thread always does a
// share of the work itself, so a sleeping or busy helper delays a call, never blocks it.
// Not for nested use: a part must not call Run (lib's ops never do).

#ifndef LLM_OPS_HOT_POOL_H_
#define LLM_OPS_HOT_POOL_H_

#include <sched.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace llm_ops {

class HotPool {
 public:
  // How long a helper keeps spinning for the next task before it sleeps. Against 300 and 50 us
  // (two alternating runs each, load 1-1.6): GPT-2 124M decoded a token in 23.9 and 27.1 ms
  // (26.7, 27.2 and 29.7, 28.9), the baby GPT's training step took 46 and 49 ms (54, 51 and
  // 54, 58): shorter windows let the helper fall asleep between the step's ops.
  static constexpr std::chrono::microseconds kSpin{2000};

  // The process's pool with `threads` - 1 helpers (the caller is the other thread), at most one
  // fewer than the cores, made on the first call; later calls get the same pool (TensorFlow's
  // thread count does not change either).
  static HotPool& Get(int threads) {
    // No more spinning threads than cores (TF_NUM_INTRAOP_THREADS may ask for more). Never
    // destroyed: its helpers outlive static destructors at exit.
    static HotPool* pool = new HotPool(std::max(0, std::min(threads, Cores()) - 1));
    return *pool;
  }

  // The cores this process may run on (its affinity mask, as taskset or a container sets it).
  static int Cores() {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
    return std::max(1u, std::thread::hardware_concurrency());
  }

  // Runs fn(0) .. fn(parts - 1) and returns when all are done. The calling thread and the
  // helpers claim parts one at a time, so a thread that the machine's other work slows down
  // simply takes fewer, and the caller waits only for parts that a helper has claimed, never for
  // a helper that has not come round yet (it finds nothing left and touches nothing). Calls from
  // two threads at once: the second runs every part itself.
  void Run(int parts, const std::function<void(int)>& fn) {
    std::unique_lock<std::mutex> busy(run_, std::try_to_lock);
    if (parts <= 1 || threads_.empty() || !busy.owns_lock()) {
      for (int p = 0; p < parts; p++) fn(p);
      return;
    }
    const uint64_t task = (task_.load(std::memory_order_relaxed) >> 32) + 1;
    job_ = &fn;
    error_ = nullptr;
#if defined(__x86_64__) || defined(__i386__)
    // the caller's float modes (TensorFlow flushes denormals to zero)
    csr_.store(_mm_getcsr(), std::memory_order_relaxed);
#endif
    done_.store(0, std::memory_order_relaxed);
    claim_.store(task << 32, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(sleep_);
      task_.store(task << 32 | static_cast<uint32_t>(parts), std::memory_order_release);
    }
    wake_.notify_all();
    TakeParts(task, parts);
    // Parts that helpers claimed and are still running (yielding, in case one of them waits for
    // this core).
    for (int i = 1; done_.load(std::memory_order_acquire) < parts; i++) {
      Pause();
      if (i % 64 == 0) sched_yield();
    }
    // A part that threw (std::bad_alloc, say) throws here, once every part is over.
    if (error_) std::rethrow_exception(error_);
  }

 private:
  explicit HotPool(int helpers) {
    for (int i = 0; i < helpers; i++) {
      try {
        threads_.emplace_back([this] { Loop(); });
      } catch (const std::system_error&) {
        break;  // no more threads to be had: fewer helpers (none: every part on the caller)
      }
      threads_.back().detach();
    }
  }

  // Claims and runs parts of task `task` (of `parts`) until none is left. A claim names its
  // task, so a helper that wakes after its task ended claims nothing.
  void TakeParts(uint64_t task, int parts) {
    uint64_t c = claim_.load(std::memory_order_acquire);
    while (c >> 32 == task && static_cast<int>(c & 0xffffffff) < parts) {
      if (!claim_.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel)) continue;
      // The task cannot end before this part is done, so job_ is still its function.
      try {
        (*job_)(static_cast<int>(c & 0xffffffff));
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_lock_);
        if (!error_) error_ = std::current_exception();
      }
      done_.fetch_add(1, std::memory_order_release);
      c = claim_.load(std::memory_order_acquire);
    }
  }

  static void Pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }

  void Loop() {
    uint64_t seen = 0;  // the last task's number
    for (;;) {
      // Spin for the next task, then sleep.
      const auto until = std::chrono::steady_clock::now() + kSpin;
      uint64_t now = task_.load(std::memory_order_acquire);
      while (now >> 32 == seen && std::chrono::steady_clock::now() < until) {
        for (int i = 0; i < 64; i++) Pause();
        sched_yield();
        now = task_.load(std::memory_order_acquire);
      }
      if (now >> 32 == seen) {
        std::unique_lock<std::mutex> lock(sleep_);
        wake_.wait(lock, [&] { return task_.load(std::memory_order_acquire) >> 32 != seen; });
        now = task_.load(std::memory_order_acquire);
      }
      seen = now >> 32;
#if defined(__x86_64__) || defined(__i386__)
      // The caller's float modes, so a part gives the same bits on any thread. Read before a
      // claim, it may be a later task's (same process, same modes) but never a torn value.
      _mm_setcsr(csr_.load(std::memory_order_relaxed));
#endif
      TakeParts(seen, static_cast<int>(now & 0xffffffff));
    }
  }

  std::vector<std::thread> threads_;
  std::mutex run_;    // one Run at a time
  std::mutex sleep_;  // guards the sleeping helpers' wake-up
  std::condition_variable wake_;
  // (task number << 32) | its number of parts; on lines of their own, as each is written
  // by different threads
  alignas(64) std::atomic<uint64_t> task_{0};
  alignas(64) std::atomic<uint64_t> claim_{0};  // (task number << 32) | the next part to claim
  alignas(64) std::atomic<int> done_{0};        // parts of the current task finished
  std::atomic<unsigned> csr_{0};                // the caller's MXCSR
  const std::function<void(int)>* job_ = nullptr;
  std::mutex error_lock_;
  std::exception_ptr error_;  // the first exception a part of the current task threw
};

}  // namespace llm_ops

#endif  // LLM_OPS_HOT_POOL_H_

// A small pool of helper threads that stay awake between calls, for the decoding step's many
// short, memory-bound ops: LlmGemv and LlmCachedAttention use it; the other ops share
// TensorFlow's pool.
//
// Why: a decoding step of GPT-2 124M makes 49 one-row products of 0.1-6 ms each, with 10-100 us
// of JavaScript and small ops between them. TensorFlow's intra-op threads fall asleep in those
// gaps, and waking one on these virtual machines took about 60-70 us per product (a 768 x 768
// product ran 155 us inside the kernel on 2 threads, where streaming its 2.4 MB at the memory's
// 28 GB/s takes 84 us). PyTorch's OpenMP threads spin between parallel regions for the same
// reason. Here a helper spins for up to kSpin after its last task (yielding the core to any other
// runnable thread each round), then sleeps until the next task; the calling thread always does a
// share of the work itself, so a sleeping or busy helper delays a call, never blocks it.

#ifndef LLM_OPS_HOT_POOL_H_
#define LLM_OPS_HOT_POOL_H_

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
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
    static HotPool* pool = new HotPool(
        std::max(0, std::min<int>(threads, std::thread::hardware_concurrency()) - 1));
    return *pool;
  }

  // Runs fn(0) .. fn(parts - 1) and returns when all are done. The calling thread and up to
  // parts - 1 helpers take the parts one at a time from a shared counter, so a thread that the
  // machine's other work slows down simply takes fewer. Calls from two threads at once: the
  // second runs every part itself.
  void Run(int parts, const std::function<void(int)>& fn) {
    const int helpers = std::min<int>(parts - 1, static_cast<int>(threads_.size()));
    std::unique_lock<std::mutex> busy(run_, std::try_to_lock);
    if (helpers <= 0 || !busy.owns_lock()) {
      for (int p = 0; p < parts; p++) fn(p);
      return;
    }
    job_ = &fn;
    parts_ = parts;
    next_.store(0, std::memory_order_relaxed);
    pending_.store(helpers, std::memory_order_relaxed);
    {
      // One word holds the task's number and how many helpers take part, so a helper never
      // pairs one task's number with another's count.
      std::lock_guard<std::mutex> lock(sleep_);
      const uint64_t next = (state_.load(std::memory_order_relaxed) >> 8) + 1;
      state_.store(next << 8 | static_cast<uint64_t>(helpers), std::memory_order_release);
    }
    wake_.notify_all();
    TakeParts();
    while (pending_.load(std::memory_order_acquire) > 0) Pause();
    job_ = nullptr;
  }

 private:
  explicit HotPool(int helpers) {
    helpers = std::min(helpers, 255);  // the count's 8 bits in state_
    for (int i = 0; i < helpers; i++) {
      threads_.emplace_back([this, i] { Loop(i + 1); });
      threads_.back().detach();
    }
  }

  // Runs the current task's parts until none is left.
  void TakeParts() {
    for (int p; (p = next_.fetch_add(1, std::memory_order_relaxed)) < parts_;) (*job_)(p);
  }

  static void Pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }

  void Loop(int part) {
    uint64_t seen = 0;  // the last task's number
    for (;;) {
      // Spin for the next task, then sleep.
      const auto until = std::chrono::steady_clock::now() + kSpin;
      uint64_t now = state_.load(std::memory_order_acquire);
      while (now >> 8 == seen && std::chrono::steady_clock::now() < until) {
        for (int i = 0; i < 64; i++) Pause();
        sched_yield();
        now = state_.load(std::memory_order_acquire);
      }
      if (now >> 8 == seen) {
        std::unique_lock<std::mutex> lock(sleep_);
        wake_.wait(lock, [&] { return state_.load(std::memory_order_acquire) >> 8 != seen; });
        now = state_.load(std::memory_order_acquire);
      }
      seen = now >> 8;
      if (part <= static_cast<int>(now & 0xff)) {
        TakeParts();
        pending_.fetch_sub(1, std::memory_order_release);
      }
    }
  }

  std::vector<std::thread> threads_;
  std::mutex run_;    // one Run at a time
  std::mutex sleep_;  // guards the sleeping helpers' wake-up
  std::condition_variable wake_;
  // (task number << 8) | helpers taking part (parts 1..that), published together
  std::atomic<uint64_t> state_{0};
  std::atomic<int> pending_{0};  // helpers of the current task still working
  std::atomic<int> next_{0};      // the next part to take
  const std::function<void(int)>* job_ = nullptr;
  int parts_ = 0;
};

}  // namespace llm_ops

#endif  // LLM_OPS_HOT_POOL_H_

// One owner thread per model, fed by a queue (text-embeddings-inference's design): every
// model run of one native model executes, in order, on that model's own thread, never on the
// libuv pool, so file I/O, DNS and crypto keep their threads however busy the model is. A
// finished job is handed back to the main thread through a thread-safe function, which
// settles its Promise there.
//
// Lifetime: while jobs are pending the owning JavaScript object is held strongly, so it
// cannot be collected under a run; Close() lets the queued jobs finish, stops the thread and
// resolves once it has exited; the destructor (collection or environment teardown) stops the
// thread after its current job and drops the jobs it never ran.
#pragma once

#include <napi.h>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "napi/promise_job.h"

namespace sk::napi {

class ModelOwner;

// One operation on a model, run on the model's owner thread: a PromiseJob (promise_job.h)
// that ModelOwner runs and settles.
class OwnerJob : public PromiseJob {
 protected:
  explicit OwnerJob(Napi::Env env) : PromiseJob(env) {}

 private:
  friend class ModelOwner;  // the only one that runs and settles it
};

class ModelOwner {
 public:
  // Starts the owner thread. `holder` is the JavaScript object kept alive while jobs are
  // pending (the model's wrapper). Main thread.
  ModelOwner(Napi::Env env, Napi::Object holder, const char* name);
  ~ModelOwner();
  ModelOwner(const ModelOwner&) = delete;
  ModelOwner& operator=(const ModelOwner&) = delete;

  // Queues `job` behind the ones already waiting and returns its promise. Main thread; not
  // after Close().
  Napi::Promise Submit(Napi::Env env, std::unique_ptr<OwnerJob> job);
  // Lets every queued job run, then stops the thread; resolves once it has exited.
  Napi::Promise Close(Napi::Env env);
  bool closing() const { return closing_; }

 private:
  struct Link;
  static void Deliver(Napi::Env env, Napi::Function, Link* link, OwnerJob* job);
  static void Finalize(Napi::Env, void*, Link* link);
  using Delivery = Napi::TypedThreadSafeFunction<Link, OwnerJob, &ModelOwner::Deliver>;

  void Loop();
  void Delivered(Napi::Env env, OwnerJob* job);
  // Stops the thread after its current job (destructor and environment teardown).
  void StopThread();
  // Runs before the thread-safe function's own teardown (cleanup hooks run in reverse order
  // of registration), so the thread never calls into a freed thread-safe function.
  static void OnTeardown(void* self);

  // Owner thread and main thread.
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<OwnerJob*> queue_;
  OwnerJob* stop_marker_ = nullptr;  // the close job: the thread exits after running it
  bool abort_ = false;               // the destructor: exit after the current job
  std::thread thread_;

  // Main thread only.
  Delivery delivery_;
  Link* link_ = nullptr;
  Napi::ObjectReference holder_;
  size_t pending_ = 0;   // submitted, not yet settled
  bool closing_ = false;
  bool released_ = false;
  napi_env env_ = nullptr;
};

// What dispose() of a model run by an owner returns, once the wrapper has dropped its model:
// the first call closes the owner (jobs already queued keep their own reference to the model
// and still run; the promise settles once the owner thread has finished them and exited); a
// later call, or one on a wrapper that never got an owner, resolves at once.
Napi::Promise CloseOwnerOnce(Napi::Env env, ModelOwner* owner);

}  // namespace sk::napi

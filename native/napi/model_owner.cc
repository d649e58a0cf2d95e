#include "napi/model_owner.h"

#include "core/memory_trim.h"
#include "core/thread_priority.h"

namespace sk::napi {

// Shared by the owner and its thread-safe function, whose finalizer may run before or after
// the owner's destructor (environment teardown runs both in no fixed order): whichever ends
// second frees it.
struct ModelOwner::Link {
  ModelOwner* owner = nullptr;  // null once the owner is destroyed
  bool finalized = false;       // the thread-safe function is gone
};

namespace {

// The close job: nothing to run; settles once the thread has exited.
class StopJob : public OwnerJob {
 public:
  explicit StopJob(Napi::Env env) : OwnerJob(env) {}

 private:
  Status Run() override { return Status::Ok(); }
  Napi::Value Result(Napi::Env env) override { return env.Undefined(); }
};

}  // namespace

ModelOwner::ModelOwner(Napi::Env env, Napi::Object holder, const char* name) {
  link_ = new Link{this, false};
  delivery_ = Delivery::New(env, Napi::Function(), name, 0, 1, link_, &ModelOwner::Finalize, static_cast<void*>(nullptr));
  // An idle model must not keep the process alive; Submit() refs it while jobs are pending.
  delivery_.Unref(env);
  holder_ = Napi::Weak(holder);
  env_ = env;
  thread_ = std::thread([this] { Loop(); });
  napi_add_env_cleanup_hook(env, &ModelOwner::OnTeardown, this);
}

void ModelOwner::StopThread() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    abort_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ModelOwner::OnTeardown(void* self) { static_cast<ModelOwner*>(self)->StopThread(); }

ModelOwner::~ModelOwner() {
  napi_remove_env_cleanup_hook(env_, &ModelOwner::OnTeardown, this);
  StopThread();
  // Jobs that never ran; deleted here because their JavaScript references belong to this thread.
  for (OwnerJob* job : queue_) delete job;
  queue_.clear();
  link_->owner = nullptr;
  if (link_->finalized) {
    delete link_;
  } else if (!released_) {
    // Results still waiting in the thread-safe function reach Deliver without an environment
    // and are only freed.
    delivery_.Abort();
  }
}

Napi::Promise ModelOwner::Submit(Napi::Env env, std::unique_ptr<OwnerJob> job) {
  Napi::Promise promise = job->Promise();
  if (pending_++ == 0) {
    delivery_.Ref(env);
    holder_.Ref();
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(job.release());
  }
  wake_.notify_one();
  return promise;
}

Napi::Promise ModelOwner::Close(Napi::Env env) {
  closing_ = true;
  auto stop = std::make_unique<StopJob>(env);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_marker_ = stop.get();
  }
  return Submit(env, std::move(stop));
}

Napi::Promise CloseOwnerOnce(Napi::Env env, ModelOwner* owner) {
  if (owner != nullptr && !owner->closing()) return owner->Close(env);
  Napi::Promise::Deferred done = Napi::Promise::Deferred::New(env);
  done.Resolve(env.Undefined());
  return done.Promise();
}

void ModelOwner::Loop() {
  LowerComputeThreadPriority();
  for (;;) {
    OwnerJob* job = nullptr;
    bool last = false;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return abort_ || !queue_.empty(); });
      if (abort_) return;
      job = queue_.front();
      queue_.pop_front();
      // Under the lock: Close() sets the marker on the JavaScript thread while a job runs here
      // (a data race TSan reported when dispose() came during a run).
      last = job == stop_marker_;
    }
    job->RunCatchingExceptions();
    // dispose() dropped the model before queueing its close job, so (unless a job still in
    // delivery holds it) its memory is free by now: hand it back here, off the JavaScript
    // thread (a trim takes milliseconds).
    if (last) ReturnFreedMemory();
    // The queue is unbounded, so this never blocks; it fails only while the environment is
    // being torn down, when the job can no longer be settled (and is left to the process exit).
    delivery_.NonBlockingCall(job);
    if (last) return;
  }
}

void ModelOwner::Deliver(Napi::Env env, Napi::Function, Link* link, OwnerJob* job) {
  if (env == nullptr || link == nullptr || link->owner == nullptr) {
    delete job;
    return;
  }
  link->owner->Delivered(env, job);
}

void ModelOwner::Delivered(Napi::Env env, OwnerJob* job) {
  const bool last = job == stop_marker_;
  if (last && thread_.joinable()) thread_.join();  // it has returned from Loop() or is about to
  job->Settle(env);
  delete job;
  if (--pending_ == 0) {
    delivery_.Unref(env);
    holder_.Unref();
  }
  if (last && !released_) {
    released_ = true;
    delivery_.Release();
  }
}

void ModelOwner::Finalize(Napi::Env, void*, Link* link) {
  link->finalized = true;
  if (link->owner == nullptr) delete link;
}

}  // namespace sk::napi

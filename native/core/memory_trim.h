// Handing freed heap memory back to the operating system after a model is disposed.
#pragma once

namespace sk {

// glibc keeps what a disposed model freed (its weights, ONNX Runtime's session and arenas) in
// the malloc arenas of the threads that allocated it, spread over up to 8 per core, and reuses
// little of it for the next load: load/dispose cycles of one tiny BERT grew RSS by about 10 KB
// a cycle with no allocation left unreachable (LeakSanitizer) and a flat JavaScript heap. This
// returns the free pages of every arena (malloc_trim); elsewhere it does nothing. It takes the
// arenas' locks, so it runs off the JavaScript thread, once per dispose.
void ReturnFreedMemory();

}  // namespace sk

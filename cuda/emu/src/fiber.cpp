#include "fiber.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <new>

#include "sanitizer.hpp"

#if defined(ENAS_EMU_ASAN)
#include <sanitizer/common_interface_defs.h>
#endif

namespace enas::emu {
namespace {

namespace ctx = boost::context::detail;

// Without these annotations ASan believes a switched-to fiber still runs on the previous stack
// and reports false stack overflows and use-after-return errors.
inline void start_switch(void** fake_stack_save, const void* bottom, std::size_t size) {
#if defined(ENAS_EMU_ASAN)
    __sanitizer_start_switch_fiber(fake_stack_save, bottom, size);
#else
    (void)fake_stack_save, (void)bottom, (void)size;
#endif
}

inline void finish_switch(void* fake_stack_save, const void** bottom_old, std::size_t* size_old) {
#if defined(ENAS_EMU_ASAN)
    __sanitizer_finish_switch_fiber(fake_stack_save, bottom_old, size_old);
#else
    (void)fake_stack_save, (void)bottom_old, (void)size_old;
#endif
}

std::size_t page_size() {
    static const std::size_t size = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    return size;
}

}  // namespace

FiberStack::FiberStack(std::size_t usable_bytes) {
    const std::size_t page = page_size();
    size_ = (usable_bytes + page - 1) / page * page;
    mapping_bytes_ = size_ + page;
    mapping_ = mmap(nullptr, mapping_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (mapping_ == MAP_FAILED) throw std::bad_alloc();
    if (mprotect(mapping_, page, PROT_NONE) != 0) {
        munmap(mapping_, mapping_bytes_);
        throw std::bad_alloc();
    }
    bottom_ = static_cast<char*>(mapping_) + page;
}

FiberStack::~FiberStack() { munmap(mapping_, mapping_bytes_); }

Fiber::Fiber(std::size_t stack_bytes) : stack_(stack_bytes) {
    context_ = ctx::make_fcontext(stack_.top(), stack_.size(), &Fiber::entry);
}

void Fiber::start(Task task, void* argument) {
    task_ = task;
    argument_ = argument;
}

void Fiber::resume() {
    start_switch(&scheduler_fake_stack_, stack_.bottom(), stack_.size());
    const ctx::transfer_t back = ctx::jump_fcontext(context_, this);
    finish_switch(scheduler_fake_stack_, nullptr, nullptr);
    context_ = back.fctx;
}

void Fiber::yield() {
    start_switch(&fiber_fake_stack_, scheduler_stack_bottom_, scheduler_stack_size_);
    const ctx::transfer_t back = ctx::jump_fcontext(scheduler_, nullptr);
    finish_switch(fiber_fake_stack_, &scheduler_stack_bottom_, &scheduler_stack_size_);
    scheduler_ = back.fctx;
}

void Fiber::entry(ctx::transfer_t from_scheduler) {
    Fiber* self = static_cast<Fiber*>(from_scheduler.data);
    self->scheduler_ = from_scheduler.fctx;
    finish_switch(nullptr, &self->scheduler_stack_bottom_, &self->scheduler_stack_size_);
    // The fiber lives as long as its owner: it never returns from here, it parks between tasks.
    for (;;) {
        if (self->task_ != nullptr) self->task_(self->argument_);
        self->task_ = nullptr;
        self->yield();
    }
}

}  // namespace enas::emu

// cxx_main.cpp — C++ exceptions through hooked frames (libthrow.cpp), each case
// with its own x so that its records can be told apart; prints what it saw (the
// oracle, compared with an untraced run):
//   x 0 4 8 1   thrower -> cb -> leaf: runtime_error through 2 frames for 8
//   300..302    3 nested thrower frames, throw_kind(311) throws runtime_error
//   322 / 333   my::Error / int through thrower and throw_kind
//   340         catch (...) { note(342); throw; } between thrower(340) and (341)
//   352 / 355   an exception kept with current_exception, std::rethrow_exception
//               through thrower(355) (a dependent exception)
//   360         catch (...) in a callback between thrower(360) and thrower(361)
//   372         catch_inside: thrown and caught inside the hooked call
//   380..384    destructors calling note() while logic_error unwinds
//   390 / 391   thrower(391) left by longjmp, then out_of_range through thrower(390)
//   574         throw_many: arguments on the stack (copied for the real call),
//               throws my::Error(602)
//   400         a foreign exception (not C++) through thrower(400)
//   500..502    a thread cancelled in block_read inside thrower; its destructor
//               calls note(501)
//   threads     4 threads x 100 runtime_errors through thrower and throw_kind
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <exception>
#include <pthread.h>
#include <semaphore.h>
#include <stdexcept>
#include <thread>
#include <unistd.h>
#include <unwind.h>
#include <vector>

#include "my_error.h"

extern "C" int thrower(int x, int (*cb)(int));
extern "C" int leaf(int x);
extern "C" int throw_kind(int x);
extern "C" int catch_inside(int x);
extern "C" int note(int x);
extern "C" int block_read(int fd, int x);
extern "C" int throw_many(int a, int b, int c, int d, int e, int f, int g, int x);

static int cb(int x)
{
	return leaf(x) * 2;
}

static int cb_throw(int x)
{
	return throw_kind(x);
}

static int cb_deep(int x)
{
	if (x < 302)
		return thrower(x + 1, cb_deep);
	return throw_kind(311);
}

static int cb_rethrow(int x)
{
	try {
		return thrower(x + 1, cb_throw);
	} catch (...) {
		note(x + 2);
		throw;
	}
}

static std::exception_ptr kept;

static int cb_rethrow_ptr(int)
{
	std::rethrow_exception(kept);
}

static int cb_catchall(int x)
{
	try {
		return thrower(x + 1, cb_throw);
	} catch (...) {
		return -5;
	}
}

struct Guard {
	int x;
	explicit Guard(int v) : x(v) {}
	~Guard() { note(x); }
};

static int cb_guard_inner(int x)
{
	Guard g(x + 1);
	return throw_kind(x + 2);
}

static int cb_guard(int x)
{
	Guard g(x + 1);
	return thrower(x + 2, cb_guard_inner);
}

static jmp_buf mix_jump;

static int cb_longjmp(int)
{
	longjmp(mix_jump, 1);
}

static int cb_mix(int x)
{
	if (setjmp(mix_jump) == 0)
		thrower(x + 1, cb_longjmp);
	throw std::out_of_range("mix");
}

// ---- a foreign exception: an _Unwind_Exception of another "language"
static void foreign_cleanup(_Unwind_Reason_Code, _Unwind_Exception *e)
{
	delete e;
}

static int cb_foreign(int)
{
	_Unwind_Exception *e = new _Unwind_Exception;

	memset(e, 0, sizeof(*e));
	e->exception_class = 0x54455354464f5200ull;	// "TESTFOR\0"
	e->exception_cleanup = foreign_cleanup;
	_Unwind_RaiseException(e);
	printf("foreign raise failed\n");
	return 0;
}

// ---- a thread cancelled inside a hooked call, its destructors run
static sem_t ready;
static int cancel_pipe[2];
static int guard_ran;

struct CancelGuard {
	~CancelGuard() { guard_ran = note(501); }
};

static int cb_cancel(int x)
{
	CancelGuard g;

	sem_post(&ready);
	return block_read(cancel_pipe[0], x + 2);
}

static void *cancel_thread(void *)
{
	thrower(500, cb_cancel);
	return nullptr;
}

static void run_threads()
{
	std::vector<std::thread> ts;
	int caught[4] = { 0 };

	for (int t = 0; t < 4; t++)
		ts.emplace_back([t, &caught] {
			for (int i = 0; i < 100; i++) {
				try {
					thrower(10000 + t * 1000 + i * 10 + 1, cb_throw);
				} catch (const std::runtime_error &) {
					caught[t]++;
				}
			}
		});
	for (auto &t : ts)
		t.join();
	printf("threads caught %d %d %d %d\n", caught[0], caught[1], caught[2], caught[3]);
}

int main()
{
	for (int i = 0; i < 3; i++) {
		try {
			printf("ok %d\n", thrower(i * 4, cb));
		} catch (const std::exception &e) {
			printf("caught %s\n", e.what());
		}
	}
	printf("after %d\n", thrower(1, cb));

	try {
		thrower(300, cb_deep);
	} catch (const std::runtime_error &e) {
		printf("deep caught %s\n", e.what());
	}
	try {
		thrower(322, cb_throw);
	} catch (const my::Error &e) {
		printf("my::Error %d\n", e.code);
	}
	try {
		thrower(333, cb_throw);
	} catch (int v) {
		printf("int %d\n", v);
	}
	try {
		thrower(340, cb_rethrow);
	} catch (const std::runtime_error &e) {
		printf("rethrown %s\n", e.what());
	}
	try {
		thrower(352, cb_throw);
	} catch (...) {
		kept = std::current_exception();
	}
	try {
		thrower(355, cb_rethrow_ptr);
	} catch (const my::Error &e) {
		printf("rethrow_exception my::Error %d\n", e.code);
	}
	kept = nullptr;
	printf("catchall %d\n", thrower(360, cb_catchall));
	printf("catch_inside %d\n", catch_inside(372));
	try {
		thrower(380, cb_guard);
	} catch (const std::logic_error &e) {
		printf("guarded %s\n", e.what());
	}
	try {
		thrower(390, cb_mix);
	} catch (const std::out_of_range &e) {
		printf("mix %s\n", e.what());
	}
	try {
		throw_many(1, 2, 3, 4, 5, 6, 7, 574);
	} catch (const my::Error &e) {
		printf("many my::Error %d\n", e.code);
	}
	try {
		thrower(400, cb_foreign);
	} catch (...) {
		printf("foreign caught\n");
	}

	pthread_t th;
	void *ret;

	if (pipe(cancel_pipe) || sem_init(&ready, 0, 0))
		return 2;
	pthread_create(&th, nullptr, cancel_thread, nullptr);
	sem_wait(&ready);
	pthread_cancel(th);
	pthread_join(th, &ret);
	printf("cancelled %d, guard %d\n", ret == PTHREAD_CANCELED, guard_ran);

	run_threads();
	printf("after all %d\n", thrower(1, cb));
	return 0;
}

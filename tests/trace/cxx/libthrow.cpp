// libthrow.cpp — hooked functions C++ exceptions pass through, are thrown from, or
// are caught in:
//   thrower(x, cb)   calls back into the program: cb(x) + 1
//   leaf(x)          throws std::runtime_error for x > 5, else returns x
//   throw_kind(x)    throws by x % 10: 1 std::runtime_error, 2 my::Error, 3 int x,
//                    4 std::logic_error; returns x for 0
//   catch_inside(x)  throws as throw_kind would and catches it itself: returns 1
//   note(x)          returns x (called from destructors and handlers)
//   block_read(fd, x) reads fd, a cancellation point: blocks until cancelled
//   throw_many(a..g, x) as throw_kind(x + a + ... + g), with g and x on the stack
#include <stdexcept>
#include <unistd.h>

#include "my_error.h"

extern "C" int thrower(int x, int (*cb)(int));
extern "C" int leaf(int x);
extern "C" int throw_kind(int x);
extern "C" int catch_inside(int x);
extern "C" int note(int x);
extern "C" int block_read(int fd, int x);
extern "C" int throw_many(int a, int b, int c, int d, int e, int f, int g, int x);

extern "C" int thrower(int x, int (*cb)(int))
{
	return cb(x) + 1;
}

extern "C" int leaf(int x)
{
	if (x > 5)
		throw std::runtime_error("too big");
	return x;
}

// Not exported: catch_inside's throw must not be a hooked call of its own.
static int raise_kind(int x)
{
	switch (x % 10) {
	case 1:
		throw std::runtime_error("kind 1");
	case 2:
		throw my::Error(x);
	case 3:
		throw x;
	case 4:
		throw std::logic_error("kind 4");
	}
	return x;
}

extern "C" int throw_kind(int x)
{
	return raise_kind(x);
}

extern "C" int catch_inside(int x)
{
	try {
		raise_kind(x);
	} catch (...) {
		return 1;
	}
	return 0;
}

extern "C" int note(int x)
{
	return x;
}

extern "C" int block_read(int fd, int x)
{
	char c;

	return (int)read(fd, &c, 1) + x;
}

extern "C" int throw_many(int a, int b, int c, int d, int e, int f, int g, int x)
{
	return raise_kind(x + a + b + c + d + e + f + g);
}

// libthrow.cpp — hooked functions a C++ exception passes through: thrower() calls
// back into the program, whose callback calls leaf(), which throws for x > 5.
#include <stdexcept>

extern "C" int thrower(int x, int (*cb)(int));
extern "C" int leaf(int x);

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

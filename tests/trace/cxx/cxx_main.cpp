// cxx_main.cpp — catches an exception thrown through two hooked frames and goes on;
// prints what it saw (the oracle).
#include <cstdio>
#include <stdexcept>

extern "C" int thrower(int x, int (*cb)(int));
extern "C" int leaf(int x);

static int cb(int x)
{
	return leaf(x) * 2;
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
	return 0;
}

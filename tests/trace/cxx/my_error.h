// my_error.h — a user exception class in a namespace: its records name it "my::Error".
#ifndef MY_ERROR_H
#define MY_ERROR_H

namespace my {
struct Error {
	int code;
	explicit Error(int c) : code(c) {}
};
}

#endif

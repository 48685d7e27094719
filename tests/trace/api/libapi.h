/* libapi.h — hooked functions for the in-program API test. */
#ifndef LIBAPI_H
#define LIBAPI_H

int api_call(int (*cb)(int), int x);
int api_self_log(int x);

#endif

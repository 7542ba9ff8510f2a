// A small test harness for the C++ binding's tests: counted checks, and the
// vector files read as text.
#ifndef LICENTIA_CPP_TEST_CHECK_HPP
#define LICENTIA_CPP_TEST_CHECK_HPP

#include <licentia.hpp>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace test {

inline int &run() {
    static int count = 0;
    return count;
}

inline int &failed() {
    static int count = 0;
    return count;
}

/// Records one check; prints where it failed.
inline void record(bool ok, const char *what, const char *file, int line) {
    ++run();
    if (!ok) {
        ++failed();
        std::cerr << file << ':' << line << ": check failed: " << what << '\n';
    }
}

/// Runs `call`, which must throw licentia::Error with `expected`.
template <class Call>
void expect_status(Call call, licentia::Status expected, const char *what, const char *file, int line) {
    try {
        call();
        record(false, what, file, line);
        std::cerr << "  (no exception, expected status " << static_cast<unsigned>(expected) << ")\n";
    } catch (const licentia::Error &e) {
        const bool ok = e.status() == expected;
        record(ok, what, file, line);
        if (!ok) {
            std::cerr << "  (got " << e.code() << " " << e.what() << ", expected "
                      << static_cast<unsigned>(expected) << ")\n";
        }
    }
}

/// Reads a whole file; an unreadable file fails the run.
inline std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot open " + path);
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Prints the closing line ("cpp: N passed, N failed") and gives the exit code.
inline int finish(const char *name) {
    std::cout << name << ": " << run() - failed() << " passed, " << failed() << " failed\n";
    return failed() == 0 && run() > 0 ? 0 : 1;
}

} // namespace test

#define CHECK(cond) test::record(static_cast<bool>(cond), #cond, __FILE__, __LINE__)
#define CHECK_STATUS(call, status) test::expect_status([&] { (void)(call); }, (status), #call, __FILE__, __LINE__)

#endif

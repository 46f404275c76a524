// Placeholder until the roles are wired (this file is replaced in the next commit).
#include <cstdio>
int main() {
  std::puts("clicktrail: under construction");
  return 0;
}

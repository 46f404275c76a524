// The subcommands of the one binary (../shared/API.md "Command line"). Each returns the process
// exit code: 0 success, 1 failure at run time, 2 bad usage or configuration.
#pragma once

namespace ct::app {

int ServeCommand(int argc, char** argv);            // clicktrail serve ...
int AccountCommand(int argc, char** argv);          // clicktrail account create NAME ...
int JournalCommand(int argc, char** argv);          // clicktrail journal check ...
int ConfigCommand(int argc, char** argv);           // clicktrail config sample
int DistributedRoleCommand(int argc, char** argv);  // clicktrail edge|tracker|notifier|api
int ImportCommand(int argc, char** argv);           // clicktrail import --format F FILE ...

}  // namespace ct::app

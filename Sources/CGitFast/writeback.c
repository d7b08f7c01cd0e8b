/* sync_file_range is a GNU extension that Swift's Glibc module does not declare. */
#define _GNU_SOURCE
#include <fcntl.h>
#include "cgitfast.h"

int cgf_start_writeback(int fd) {
    return sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

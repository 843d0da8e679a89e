/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runs a fuzz target over saved inputs without libFuzzer, so every build
 * (with or without clang, with or without sanitizers) replays the corpus as
 * an ordinary test:
 *
 *   fuzz_replay_conf FILE|DIR...
 *
 * Directories are read one level deep (DIR/x and DIR/sub/x), in name order
 * so failures reproduce. Each input is copied into a buffer of exactly its
 * size, so a read past the end is caught by ASan as it would be by libFuzzer.
 * A crash crashes; an unreadable argument is an error (exit 1); otherwise
 * prints "replayed N inputs" and exits 0.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

#define MAX_INPUT_SIZE (16u << 20)

/* The whole file in a malloc'd buffer of its size (+1 so that an empty
 * file still gets a real pointer); -errno on failure. */
static int read_file(const char *path, uint8_t **out, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	size_t n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_size > MAX_INPUT_SIZE ||
	    !(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return -EFBIG;
	}
	while (n < (size_t)st.st_size) {
		r = read(fd, buf + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break; /* shrank while we read: replay what we have */
		n += (size_t)r;
	}
	close(fd);
	*out = buf;
	*len = n;
	return 0;
}

static int replay_file(const char *path, unsigned *count)
{
	uint8_t *buf = NULL;
	size_t n = 0;
	int ret = read_file(path, &buf, &n);

	if (ret < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(-ret));
		return -1;
	}
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	(*count)++;
	return 0;
}

static int replay(const char *path, int depth, unsigned *count)
{
	struct dirent **names;
	char sub[4096];
	struct stat st;
	int i, n, ret = 0;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path, count);
	if (depth > 1)
		return 0;
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' &&
		    (size_t)snprintf(sub, sizeof(sub), "%s/%s", path,
				     names[i]->d_name) < sizeof(sub) &&
		    replay(sub, depth + 1, count) < 0)
			ret = -1;
		free(names[i]);
	}
	free(names);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int i, ret = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (replay(argv[i], 0, &count) < 0)
			ret = 1;
	printf("replayed %u inputs\n", count);
	return ret;
}

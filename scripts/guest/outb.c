// SPDX-License-Identifier: GPL-2.0
/*
 * outb PORT VALUE [TTY...]: drain the given serial ttys, then write one byte
 * to an I/O port.  The test VM's /init uses it to hand its verdict to qemu's
 * isa-debug-exit device, which ends qemu with exit status (VALUE << 1) | 1;
 * draining first makes sure the TAP on the serial port reaches the host.
 * Built static on the host so it runs in the busybox initramfs.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>
#include <termios.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long port, value;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: outb PORT VALUE [TTY...]\n");
		return 2;
	}
	port = strtoul(argv[1], NULL, 0);
	value = strtoul(argv[2], NULL, 0);
	for (i = 3; i < argc; i++) {
		int fd = open(argv[i], O_WRONLY | O_NOCTTY);

		if (fd >= 0) {
			tcdrain(fd);
			close(fd);
		}
	}
	sync();
	if (port > 0xffff || value > 0xff || ioperm(port, 1, 1)) {
		perror("outb: ioperm");
		return 1;
	}
	outb((unsigned char)value, (unsigned short)port);
	return 0;
}

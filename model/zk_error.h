/* zk_error.h - the GError domain of the model's operating errors. */
#ifndef ZK_ERROR_H
#define ZK_ERROR_H

#include <glib.h>
#include <string.h>

#define ZK_ERROR (zk_error_quark())
GQuark zk_error_quark(void);

#endif

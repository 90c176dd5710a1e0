// Moved to tests/support/temp_dir.h (shared by every suite, Linux and Windows).
#pragma once
#include "../support/temp_dir.h"

// The CLI commands, one file per group (account_commands.cpp, auth_commands.cpp...).
#pragma once

#include "cli/context.h"

namespace md::cli {

int cmd_account_add(CommandContext& ctx);
int cmd_account_list(CommandContext& ctx);
int cmd_account_show(CommandContext& ctx);
int cmd_account_edit(CommandContext& ctx);
int cmd_account_remove(CommandContext& ctx);
int cmd_auth(CommandContext& ctx);
int cmd_token(CommandContext& ctx);
int cmd_admin_add(CommandContext& ctx);
int cmd_admin_passwd(CommandContext& ctx);
int cmd_admin_remove(CommandContext& ctx);
int cmd_admin_list(CommandContext& ctx);
int cmd_check(CommandContext& ctx);
int cmd_sync(CommandContext& ctx);
int cmd_status(CommandContext& ctx);
int cmd_reset_counter(CommandContext& ctx);
int cmd_export(CommandContext& ctx);
int cmd_log(CommandContext& ctx);
int cmd_report(CommandContext& ctx);
int cmd_metrics(CommandContext& ctx);
int cmd_serve(CommandContext& ctx);

}  // namespace md::cli

/* l_imgproc.c — placeholder until this area's binding lands. */
#include "binding.h"

void glimpse_open_imgproc(lua_State *L)
{
    (void)L;
}

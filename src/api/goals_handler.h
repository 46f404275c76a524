// /api/v1/goals: conversion goals (api/goal_fields.h for the object). Create, list, get,
// update, delete, and GET /goals/{id}/stats?from&to&interval&tz: the goal's conversions and
// value per bucket, attributed vs unattributed, and its top links. Every change wakes the
// edge's link syncer (ctx.links_changed): the edge learns of goals through the link sync.
// Account-scoped: another account's goal is a 404 like a missing one.
#pragma once

#include "api/api_context.h"
#include "api/auth.h"
#include "edge/api_handler.h"

namespace ct::api {

inline constexpr int kGoalKeyAttempts = 4;  // 62^16 keys: a clash is already a freak event

class GoalsHandler {
 public:
  explicit GoalsHandler(const ApiContext* ctx) : ctx_(ctx) {}
  ApiResponse Create(const Principal& who, const ApiRequest& req);
  ApiResponse List(const Principal& who);
  ApiResponse Get(const Principal& who, int64_t id);
  ApiResponse Update(const Principal& who, int64_t id, const ApiRequest& req);
  ApiResponse Delete(const Principal& who, int64_t id);
  ApiResponse Stats(const Principal& who, int64_t id, const ApiRequest& req);

 private:
  void Changed() const {
    if (ctx_->links_changed) ctx_->links_changed();
  }
  const ApiContext* ctx_;
};

}  // namespace ct::api
